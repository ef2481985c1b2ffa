using System.Reflection;
using Leakwatch.Core;

namespace Leakwatch.Core.Tests;

public class ExposureAdviceTests
{
    private static string[] Ids(IEnumerable<string> exposed) => ExposureAdvice.For(exposed).Select(r => r.Id).ToArray();

    [Fact]
    public void For_PhoneNumbers_GivesSimSwapAndSmishingAdvice()
    {
        var rule = Assert.Single(ExposureAdvice.For([DataClass.PhoneNumbers]));
        Assert.Equal("phone", rule.Id);
        Assert.Contains(rule.Steps, s => s.Contains("SIM-swap", StringComparison.Ordinal));
        Assert.Contains(rule.Steps, s => s.Contains("smishing", StringComparison.Ordinal));
    }

    [Fact]
    public void For_EmailAddresses_GivesPhishingAndCredentialStuffingAdvice()
    {
        var rule = Assert.Single(ExposureAdvice.For([DataClass.EmailAddresses]));
        Assert.Equal("email", rule.Id);
        Assert.Contains(rule.Steps, s => s.Contains("phishing", StringComparison.Ordinal));
        Assert.Contains(rule.Steps, s => s.Contains("credential stuffing", StringComparison.Ordinal));
    }

    [Fact]
    public void For_NameAndBirthdate_GivesIdentityTheftAndCreditFreeze_ButNeitherAloneDoes()
    {
        Assert.Equal(["identity"], Ids([DataClass.Names, DataClass.DatesOfBirth]));
        Assert.Empty(Ids([DataClass.Names]));
        Assert.Empty(Ids([DataClass.DatesOfBirth]));
        Assert.Contains(ExposureAdvice.For([DataClass.Names, DataClass.DatesOfBirth])[0].Steps, s => s.Contains("credit freeze", StringComparison.Ordinal));
    }

    [Fact]
    public void For_PasswordsOrHashes_GivesChangeReusedPasswordManagerAnd2fa()
    {
        Assert.Equal(["password"], Ids([DataClass.Passwords]));
        Assert.Equal(["password"], Ids([DataClass.PasswordHashes]));
        var steps = string.Join(" ", ExposureAdvice.For([DataClass.Passwords])[0].Steps);
        Assert.Contains("everywhere you used it", steps, StringComparison.Ordinal);
        Assert.Contains("password manager", steps, StringComparison.Ordinal);
        Assert.Contains("2FA", steps, StringComparison.Ordinal);
    }

    [Fact]
    public void For_Location_GivesPhysicalSafetyAdvice()
    {
        Assert.Equal(["location"], Ids([DataClass.GeographicLocations]));
        Assert.Equal(["location"], Ids([DataClass.PhysicalAddresses]));
        Assert.Contains(ExposureAdvice.For([DataClass.GeographicLocations])[0].Steps, s => s.Contains("physical safety", StringComparison.Ordinal));
    }

    [Fact]
    public void For_Facebook533MClasses_GivesRulesInTableOrderIgnoringCase()
    {
        string[] scrape = ["dates of birth", "Email addresses", "Employers", "Genders", "Geographic locations", "NAMES", "Phone numbers", "Relationship statuses"];
        Assert.Equal(["phone", "email", "identity", "location"], Ids(scrape));
        Assert.Empty(Ids(["Genders", "Employers"]));
    }

    [Fact]
    public void Rules_NameOnlyKnownDataClasses_AndHaveUniqueIdsAndSteps()
    {
        var known = typeof(DataClass).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        Assert.Equal(ExposureAdvice.Rules.Count, ExposureAdvice.Rules.Select(r => r.Id).Distinct().Count());
        foreach (var rule in ExposureAdvice.Rules)
        {
            Assert.NotEmpty(rule.Steps);
            Assert.NotEmpty(rule.When);
            Assert.All(rule.When.SelectMany(w => w), c => Assert.Contains(c, known));
        }
    }
}

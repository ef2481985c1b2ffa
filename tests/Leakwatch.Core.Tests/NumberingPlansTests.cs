using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Leakwatch.Core;
using PhoneNumbers;

namespace Leakwatch.Core.Tests;

public class NumberingPlansTests
{
    private static string TablePath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "../../src/Leakwatch.Core/Resources/numbering-plans.txt"));

    /// <summary>The bundled table is what <see cref="NumberingPlans.Estimate"/> computes from the libphonenumber in
    /// use, for small plans (cheap to recompute) and the +1 plan. Set LEAKWATCH_UPDATE_GOLDEN=1 to rewrite the whole
    /// table after a libphonenumber update.</summary>
    [Theory]
    [InlineData(354)] // Iceland
    [InlineData(298)] // Faroe Islands
    [InlineData(423)] // Liechtenstein
    [InlineData(683)] // Niue: a plan smaller than a crowd
    [InlineData(1)]
    public void Table_MatchesEstimateFromMetadata(int callingCode)
    {
        if (Environment.GetEnvironmentVariable("LEAKWATCH_UPDATE_GOLDEN") == "1")
        {
            var text = new StringBuilder("# calling code, estimated valid numbers (NumberingPlans.Estimate over libphonenumber's metadata)\n");
            foreach (var code in PhoneNumberUtil.GetInstance().GetSupportedCallingCodes().Order())
            {
                text.Append(CultureInfo.InvariantCulture, $"{code} {NumberingPlans.Estimate(code)}\n");
            }

            File.WriteAllText(TablePath(), text.ToString());
            Assert.Fail("numbering plan table regenerated; review it and rerun without LEAKWATCH_UPDATE_GOLDEN");
        }

        Assert.Equal(NumberingPlans.Estimate(callingCode), NumberingPlans.PossibleNumbers(callingCode));
    }

    [Fact]
    public void Table_ListsEveryCallingCodeTheNormalizerAccepts()
    {
        var codes = PhoneNumberUtil.GetInstance().GetSupportedCallingCodes();
        Assert.Equal(codes.Order(), NumberingPlans.CallingCodes);
        Assert.All(codes, c => Assert.True(NumberingPlans.PossibleNumbers(c) > 0, $"+{c} has no valid numbers in the table"));
    }

    /// <summary>Orders of magnitude known from the plans themselves: Iceland's 7-digit plan holds a few million
    /// numbers, +1 billions, Germany (lengths 5 to 15 digits) far more.</summary>
    [Fact]
    public void Table_SizesAreThoseOfThePlans()
    {
        Assert.InRange(NumberingPlans.PossibleNumbers(354), 1_000_000, 10_000_000);
        Assert.InRange(NumberingPlans.PossibleNumbers(1), 1_000_000_000, 10_000_000_000);
        Assert.InRange(NumberingPlans.PossibleNumbers(49), 10_000_000_000, 10_000_000_000_000_000);
        Assert.Equal(0, NumberingPlans.PossibleNumbers(999));
    }
}

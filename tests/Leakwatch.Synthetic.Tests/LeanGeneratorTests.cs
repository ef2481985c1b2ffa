using System.Security.Cryptography;
using System.Text;
using Leakwatch.Synthetic.Internal;

namespace Leakwatch.Synthetic.Tests;

public sealed class LeanGeneratorTests
{
    private static (byte[] Bytes, GeneratorTruth Truth) Lean(long records, int seed)
    {
        using var output = new MemoryStream();
        GeneratorTruth truth = DumpGenerator.GenerateLean(new GeneratorOptions(records, seed), output);
        return (output.ToArray(), truth);
    }

    [Fact]
    public void GenerateLean_SameSeed_SameBytes_OtherSeed_OtherBytes()
    {
        var (a, _) = Lean(5_000, 3);
        var (b, _) = Lean(5_000, 3);
        var (c, _) = Lean(5_000, 4);
        Assert.Equal(SHA256.HashData(a), SHA256.HashData(b));
        Assert.NotEqual(SHA256.HashData(a), SHA256.HashData(c));
    }

    /// <summary>Every phone and email is what the truth says: valid ones valid for libphonenumber and
    /// <see cref="EmailRules"/>, invalid ones invalid, distinct counts exact, and no two phones consecutive.</summary>
    [Fact]
    public void GenerateLean_IdentifiersAreValidAsCounted()
    {
        var (bytes, truth) = Lean(20_000, 9);
        string[] lines = Encoding.UTF8.GetString(bytes).Split('\n');
        Assert.Equal(LeanEngine.Header.TrimEnd('\n'), lines[0]);
        Assert.Equal("", lines[^1]);
        Assert.Equal(20_000, lines.Length - 2);
        long badPhone = 0, noPhone = 0, badEmail = 0, noEmail = 0;
        var phones = new HashSet<ulong>();
        var emails = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in lines[1..^1])
        {
            string[] f = line.Split(',');
            Assert.Equal(4, f.Length);
            Assert.Contains(f[3], new[] { "", "male", "female" });
            if (f[0].Length == 0) noPhone++;
            else if (Country.LibNormalize(new string(f[0].Where(char.IsAsciiDigit).ToArray())) is ulong e164) phones.Add(e164);
            else badPhone++;
            if (f[1].Length == 0) noEmail++;
            else if (EmailRules.Normalize(f[1]) is string email) emails.Add(email);
            else badEmail++;
        }
        Assert.Equal(truth.InvalidPhone, badPhone);
        Assert.Equal(truth.EmptyPhone, noPhone);
        Assert.Equal(truth.InvalidEmail, badEmail);
        Assert.Equal(truth.EmptyEmail, noEmail);
        Assert.Equal(truth.DistinctPhones, phones.Count);
        Assert.Equal(truth.DistinctEmails, emails.Count);
        Assert.True(badPhone > 0 && badEmail > 0 && truth.DuplicateRows > 0);
        Assert.DoesNotContain(phones, p => phones.Contains(p + 1));
    }

    /// <summary>The per-block proof against the per-number check: a block it accepts is valid at all 10,000 numbers.</summary>
    [Theory]
    [InlineData("US")]
    [InlineData("GB")]
    [InlineData("SA")]
    [InlineData("DE")]
    public void BlockAllValid_AcceptedBlock_EveryNumberValid(string region)
    {
        Country c = Country.All.Value.Single(x => x.Region == region);
        Assert.True(c.HasBlockCheck);
        var rng = new Rng(Rng.Derive(1, 77));
        ulong low = Country.Pow10(c.NsnLength - 5), high = Country.Pow10(c.NsnLength - 4);
        int accepted = 0;
        for (int attempt = 0; attempt < 200_000 && accepted < 2; attempt++)
        {
            ulong prefix = low + rng.NextULong(high - low);
            if (!c.BlockAllValid(prefix)) continue;
            accepted++;
            for (ulong t = 0; t < 10_000; t++) Assert.True(c.FastValid(prefix * 10_000 + t), $"+{c.ToE164(prefix * 10_000 + t)}");
            for (ulong t = 0; t < 10_000; t += 997) Assert.True(Country.LibValid(c.ToE164(prefix * 10_000 + t)));
        }
        Assert.Equal(2, accepted);
    }
}

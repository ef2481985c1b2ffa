using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Leakwatch.Synthetic.Internal;

namespace Leakwatch.Synthetic.Tests;

/// <summary>The lean generator's fast writers against the plain ones they replace.</summary>
public sealed class LeanFormatTests
{
    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public bool FastDigits_AnyValue_SameBytesAsToString(ulong value, byte shift)
    {
        // Shifting right spreads the cases over every digit count, not only 19-20 digit values.
        ulong v = value >> (shift % 64);
        var buf = new byte[40];
        buf.AsSpan().Fill((byte)'#');
        int n = LeanFormat.FastDigits(buf, 3, v);
        return n == Country.DigitCount(v)
            && Encoding.ASCII.GetString(buf, 3, n) == v.ToString(CultureInfo.InvariantCulture)
            && buf[2] == '#' && buf[3 + n] == '#';
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public bool PhoneTemplate_AnyCountryStyleAndNumber_SameBytesAsLeanFormatPhone(PositiveInt countryPick, NonNegativeInt stylePick, ulong random)
    {
        Country[] countries = Country.All.Value;
        Country c = countries[countryPick.Get % countries.Length];
        int style = stylePick.Get % 5;
        ulong low = Country.Pow10(c.NsnLength - 1);
        ulong e164 = c.ToE164(low + (random % (low * 9)));
        var expected = new byte[64];
        int n = LeanFormat.Phone(expected, e164, c.CountryCodeDigits, c.Groups, style);
        var buf = new byte[96];
        int m = new PhoneTemplate(c.CountryCodeDigits, c.NsnLength, c.Groups, style).Write(buf, 5, e164);
        return m == n && buf.AsSpan(5, m).SequenceEqual(expected.AsSpan(0, n));
    }

    [FsCheck.Xunit.Property(MaxTest = 20)]
    public bool LeanTokens_SmallDomain_IsAPermutation(int seed, PositiveInt halfDigitsPick)
    {
        int halfDigits = 1 + (halfDigitsPick.Get % 2);
        var tokens = new LeanTokens(halfDigits, new Rng(Rng.Derive(seed, 13)));
        var seen = new bool[tokens.Domain];
        for (ulong i = 0; i < tokens.Domain; i++)
        {
            ulong t = tokens.Next();
            if (t >= tokens.Domain || seen[t]) return false;
            seen[t] = true;
        }
        return true;
    }

    [Fact]
    public void LeanTokens_BeyondDomain_Throws()
    {
        var tokens = new LeanTokens(1, new Rng(1));
        for (int i = 0; i < 100; i++) tokens.Next();
        Assert.Throws<InvalidOperationException>(() => tokens.Next());
    }

    [Fact]
    public void LeanTokens_NotTheIdentity()
    {
        var tokens = new LeanTokens(3, new Rng(7));
        int fixedPoints = 0;
        for (ulong i = 0; i < 1000; i++) fixedPoints += tokens.Next() == i ? 1 : 0;
        Assert.True(fixedPoints < 10, $"{fixedPoints} fixed points");
    }
}

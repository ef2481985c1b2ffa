using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Core;
using PhoneNumbers;

namespace Leakwatch.Core.Tests;

public class PhoneNormalizerTests
{
    private static readonly string?[] Regions = [null, "US", "GB", "DE", "FR", "IN", "BR", "EG", "IT", "NG", "AR", "JP", "CN", "MX", "RU", "CA", "AU", "ES", "ID", "PH"];

    private static readonly ConcurrentDictionary<string, PhoneNormalizer> Normalizers = new();

    private static PhoneNormalizer For(string? region) => Normalizers.GetOrAdd(region ?? "", r => new PhoneNormalizer(r.Length == 0 ? null : r));

    [Theory]
    [InlineData("+44 7911 123456", null, 447911123456UL)]
    [InlineData("447911123456", null, 447911123456UL)]
    [InlineData("+1 (212) 555-0123", null, 12125550123UL)]
    [InlineData("+1 (212) 555-0123", "DE", 12125550123UL)]
    [InlineData("07911 123456", "GB", 447911123456UL)]
    [InlineData("07911 123456", "gb", 447911123456UL)]
    [InlineData("(212) 555-0123", "US", 12125550123UL)]
    [InlineData("0044 7911 123456", "GB", 447911123456UL)]
    [InlineData("011 44 7911 123456", "US", 447911123456UL)]
    [InlineData("+39 06 1234 5678", null, 390612345678UL)]
    [InlineData("  +49 151 12345678 ", null, 4915112345678UL)]
    [InlineData("4915112345678", null, 4915112345678UL)]
    [InlineData("0044 7911 123456", null, 447911123456UL)] // 00: the international call prefix, read as '+'
    [InlineData("00 1 (212) 555-0123", null, 12125550123UL)]
    public void TryNormalize_ValidNumber_ReturnsE164Digits(string input, string? region, ulong expected)
    {
        var normalizer = new PhoneNormalizer(region);
        Assert.True(normalizer.TryNormalize(input, out var fast));
        Assert.Equal(expected, fast);
        Assert.True(normalizer.TryNormalizeSlow(input, out var slow));
        Assert.Equal(expected, slow);
    }

    [Theory]
    [InlineData("12345", null)]
    [InlineData("12345", "US")]
    [InlineData("+999 1234 5678", null)]
    [InlineData("07911 123456", null)]
    [InlineData("+44 7911 123456 ext. 12", null)]
    [InlineData("+1 212 555 0123 x12", null)]
    [InlineData("", null)]
    [InlineData("not a phone", "GB")]
    [InlineData("+", null)]
    [InlineData("0 044 7911 123456", null)]
    [InlineData("0044 7911 123456", "US")] // the US call prefix is 011
    public void TryNormalize_InvalidNumber_ReturnsFalse(string input, string? region)
    {
        var normalizer = new PhoneNormalizer(region);
        Assert.False(normalizer.TryNormalize(input, out var e164));
        Assert.Equal(0UL, e164);
        Assert.False(normalizer.TryNormalizeSlow(input, out _));
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("UK")]
    [InlineData("USA")]
    public void Constructor_UnknownRegion_Throws(string region)
    {
        var error = Assert.Throws<ArgumentException>(() => new PhoneNormalizer(region));
        Assert.Contains(region, error.Message);
    }

    [Fact]
    public void FormatE164_WritesPlusAndDigits()
    {
        Span<char> buffer = stackalloc char[21];
        var length = PhoneNormalizer.FormatE164(447911123456UL, buffer);
        Assert.Equal("+447911123456", buffer[..length].ToString());
    }

    [Theory]
    [InlineData(447911123456UL, "GG", 44)]
    [InlineData(447400123456UL, "GB", 44)]
    [InlineData(12125550123UL, "US", 1)]
    [InlineData(14165550123UL, "CA", 1)]
    [InlineData(390612345678UL, "IT", 39)]
    [InlineData(2348031234567UL, "NG", 234)]
    public void RegionOf_And_CountryCodeOf_ValidNumber(ulong e164, string region, int callingCode)
    {
        Assert.Equal(region, PhoneNormalizer.RegionOf(e164));
        Assert.Equal(callingCode, PhoneNormalizer.CountryCodeOf(e164));
    }

    [Fact]
    public void RegionOf_UnknownCallingCode_IsZZ()
    {
        Assert.Equal("ZZ", PhoneNormalizer.RegionOf(999123456UL));
        Assert.Equal(0, PhoneNormalizer.CountryCodeOf(999123456UL));
    }

    [Theory]
    [InlineData("+44 7911 123456", null)]
    [InlineData("447400123456", null)]
    [InlineData("+1 (212) 555-0123", null)]
    [InlineData("(212) 555-0123", "US")]
    [InlineData("07400 123456", "GB")]
    [InlineData("+49 151 12345678", "DE")]
    [InlineData("0044 7400 123456", null)]
    public void TryNormalize_CommonShapes_TakeTheAllocationFreeFastPath(string input, string? region)
    {
        // The reference path allocates (strings, StringBuilders, PhoneNumber); no allocation proves Parse was skipped.
        var normalizer = new PhoneNormalizer(region);
        for (var i = 0; i < 1000; i++) // past the point where hot patterns get compiled
            Assert.True(normalizer.TryNormalize(input, out _));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
            normalizer.TryNormalize(input, out _);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void TryNormalize_FromTwoThreads_AgreesWithSlowPath()
    {
        var inputs = Enumerable.Range(0, 2000).Select(i => "+" + (447400000000UL + (ulong)i * 7919UL)).ToArray();
        var normalizer = new PhoneNormalizer("GB");
        var expected = inputs.Select(s => normalizer.TryNormalizeSlow(s, out var v) ? v : 0).ToArray();
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ =>
        {
            for (var i = 0; i < inputs.Length; i++)
                Assert.Equal(expected[i], normalizer.TryNormalize(inputs[i], out var v) ? v : 0);
        });
    }

    // ---- properties: the fast path must give libphonenumber's answer ----

    private static readonly int[] CallingCodes = [.. PhoneNumberUtil.GetInstance().GetSupportedCallingCodes().Order()];

    private static readonly char[] Separators = [' ', '-', '.', '(', ')', '/'];

    private static Gen<string> DigitsOf(int length) =>
        Gen.ArrayOf(Gen.Choose(0, 9).Select(d => (char)('0' + d)), length).Select(chars => new string(chars));

    /// <summary>Inserts random separators between digits, as dumps write numbers.</summary>
    private static Gen<string> WithSeparators(string digits) =>
        from marks in Gen.ArrayOf(Gen.Frequency((6, Gen.Constant('\0')), (1, Gen.Elements(Separators))), digits.Length)
        select string.Concat(digits.Select((d, i) => marks[i] == '\0' ? d.ToString() : d.ToString() + marks[i]));

    private static readonly Gen<string> RandomDigits =
        from length in Gen.Choose(5, 17)
        from digits in DigitsOf(length)
        from spaced in WithSeparators(digits)
        from prefix in Gen.Elements("", "+", "00", "0", "+0", "(", "011")
        select prefix + spaced;

    private static readonly Gen<string> CountryCodePlusNational =
        from code in Gen.Elements(CallingCodes)
        from length in Gen.Choose(6, 12)
        from national in DigitsOf(length)
        from trunk in Gen.Elements("", "", "", "0", "1", "8", "9", "15")
        from spaced in WithSeparators(trunk + national)
        from prefix in Gen.Elements("+", "", "00", "+ ")
        from gap in Gen.Elements("", " ", "-", " (0)")
        select prefix + code + gap + spaced;

    /// <summary>libphonenumber's own example numbers with the tail digits changed: mostly valid numbers.</summary>
    private static readonly Gen<string> MutatedExamples =
        from region in Gen.Elements(PhoneNumberUtil.GetInstance().GetSupportedRegions().Order().ToArray())
        from type in Gen.Elements(PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP)
        from tailLength in Gen.Choose(0, 5)
        from tail in DigitsOf(tailLength)
        from national in Gen.Elements(true, false)
        select Example(region, type, tail, national);

    private static string Example(string region, PhoneNumberType type, string tail, bool national)
    {
        var util = PhoneNumberUtil.GetInstance();
        var example = util.GetExampleNumberForType(region, type) ?? util.GetExampleNumber(region);
        if (example is null)
            return tail;
        var nsn = util.GetNationalSignificantNumber(example);
        nsn = nsn[..Math.Max(1, nsn.Length - tail.Length)] + tail;
        return national ? util.GetNddPrefixForRegion(region, true) + nsn : "+" + example.CountryCode + " " + nsn;
    }

    private static readonly Gen<(string Input, string? Region)> PhoneCases =
        from input in Gen.Frequency((3, RandomDigits), (4, CountryCodePlusNational), (4, MutatedExamples))
        from region in Gen.Elements(Regions)
        select (input, region);

    [Property(MaxTest = 20000)]
    public Property TryNormalize_FastPath_AgreesWithLibphonenumber() =>
        Prop.ForAll(PhoneCases.ToArbitrary(), c =>
        {
            var normalizer = For(c.Region);
            var fast = normalizer.TryNormalize(c.Input, out var fastValue);
            var slow = normalizer.TryNormalizeSlow(c.Input, out var slowValue);
            return (fast == slow && fastValue == slowValue)
                .Label($"'{c.Input}' region={c.Region ?? "none"}: fast={fast}/{fastValue} slow={slow}/{slowValue}");
        });

    [Property(MaxTest = 5000)]
    public Property TryNormalize_NoRegion_LeadingDoubleZeroStandsForPlus() =>
        Prop.ForAll(Gen.Frequency((4, CountryCodePlusNational), (1, RandomDigits)).ToArbitrary(), input =>
        {
            // The international call prefix 00 and '+' mean the same when no region says otherwise.
            var rest = input.TrimStart('+', '0');
            var normalizer = For(null);
            var plus = normalizer.TryNormalize("+" + rest, out var plusValue);
            var zeros = normalizer.TryNormalize("00" + rest, out var zerosValue);
            return (plus == zeros && plusValue == zerosValue)
                .Label($"'{rest}': +{plus}/{plusValue} 00:{zeros}/{zerosValue}");
        });

    [Property(MaxTest = 3000)]
    public Property FormatE164_RoundTrips() =>
        Prop.ForAll(PhoneCases.ToArbitrary(), c =>
        {
            if (!For(c.Region).TryNormalize(c.Input, out var e164))
                return true;
            Span<char> buffer = stackalloc char[21];
            var text = buffer[..PhoneNormalizer.FormatE164(e164, buffer)].ToString();
            return For(null).TryNormalize(text, out var again) && again == e164
                && For("GB").TryNormalize(text, out var fromElsewhere) && fromElsewhere == e164
                && PhoneNormalizer.CountryCodeOf(e164) > 0 && PhoneNormalizer.RegionOf(e164) != "ZZ";
        });

    [Property(MaxTest = 2000)]
    public Property TryNormalize_Garbage_NeverThrows() =>
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), Gen.Elements(Regions).ToArbitrary(), (input, region) =>
        {
            var normalizer = For(region);
            return normalizer.TryNormalize(input ?? "", out var a) == normalizer.TryNormalizeSlow(input ?? "", out var b) && a == b;
        });
}

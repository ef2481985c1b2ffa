using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Core;
using PhoneNumbers;

namespace Leakwatch.Core.Tests;

/// <summary>
/// The per-block validity memo must answer exactly as libphonenumber's <c>IsValidNumber</c> for every number: checked
/// directly against the library (not against the fast path), on numbers of every calling code, many of them in the
/// same block so that most answers come from the memo rather than from a fresh classification.
/// </summary>
public class PhoneBlockValidityTests
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private static readonly int[] CallingCodes = [.. Util.GetSupportedCallingCodes().Order()];

    private static readonly PhoneNumberType[] Types =
        [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP, PhoneNumberType.PREMIUM_RATE];

    private static bool LibraryIsValid(int callingCode, string national)
    {
        var number = new PhoneNumber.Builder { CountryCode = callingCode, NationalNumber = ulong.Parse(national, System.Globalization.CultureInfo.InvariantCulture) }.Build();
        return Util.IsValidNumber(number);
    }

    private static bool MemoIsValid(int callingCode, string national) =>
        PhoneBlockValidity.IsValid(PhoneNumberRules.ForCallingCode(callingCode), national);

    /// <summary>A national number of the calling code: an example of one of its regions and types with its tail
    /// replaced (mostly valid), or random digits (mostly not); never with a leading zero, as the fast path asks.</summary>
    private static readonly Gen<(int Code, string National)> Numbers =
        from code in Gen.Elements(CallingCodes)
        from type in Gen.Elements(Types)
        from tailLength in Gen.Choose(0, 8)
        from tail in Gen.ArrayOf(Gen.Choose(0, 9).Select(d => (char)('0' + d)), tailLength)
        from randomLength in Gen.Choose(4, 17)
        from random in Gen.ArrayOf(Gen.Choose(0, 9).Select(d => (char)('0' + d)), randomLength)
        from useExample in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        select (code, NationalOf(code, type, new string(tail), useExample ? null : new string(random)));

    private static string NationalOf(int code, PhoneNumberType type, string tail, string? random)
    {
        var national = random;
        if (national is null)
        {
            var region = Util.GetRegionCodeForCountryCode(code);
            var example = region == "001" ? Util.GetExampleNumberForNonGeoEntity(code) : Util.GetExampleNumberForType(region, type) ?? Util.GetExampleNumber(region);
            var nsn = example is null ? "2345678" : Util.GetNationalSignificantNumber(example);
            national = nsn[..Math.Max(1, nsn.Length - tail.Length)] + tail;
        }
        var trimmed = national.TrimStart('0');
        return trimmed.Length > 0 ? trimmed : "1" + national;
    }

    [Property(MaxTest = 20000)]
    public Property IsValid_RandomNumbersAndTheirBlockNeighbours_AgreeWithLibphonenumber() =>
        Prop.ForAll(Numbers.ToArbitrary(), Gen.Choose(0, 9999).ToArbitrary(), (n, other) =>
        {
            // The number itself, then a neighbour in the same block: the second answer usually comes from the memo.
            var neighbour = n.National.Length > PhoneBlockValidity.PlaceholderDigits
                ? n.National[..^PhoneBlockValidity.PlaceholderDigits] + other.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)
                : n.National;
            var memo = MemoIsValid(n.Code, n.National);
            var library = LibraryIsValid(n.Code, n.National);
            var memoNeighbour = MemoIsValid(n.Code, neighbour);
            var libraryNeighbour = LibraryIsValid(n.Code, neighbour);
            return (memo == library && memoNeighbour == libraryNeighbour)
                .Label($"+{n.Code} {n.National}: memo={memo} library={library}; {neighbour}: memo={memoNeighbour} library={libraryNeighbour}");
        });

    /// <summary>Every block around every region's example numbers: a block the memo calls all-valid or all-invalid
    /// must be so for its first, last and 200 other numbers, by the library's own answer.</summary>
    [Fact]
    public void ClassifyBlock_ExampleBlocksOfEveryRegion_HoldForTheirNumbers()
    {
        var random = new Random(14);
        var decided = 0;
        foreach (var region in Util.GetSupportedRegions().Order())
        {
            var code = Util.GetCountryCodeForRegion(region);
            foreach (var type in Types)
            {
                var example = Util.GetExampleNumberForType(region, type);
                if (example is null)
                    continue;
                var nsn = Util.GetNationalSignificantNumber(example);
                if (nsn.Length < PhoneBlockValidity.PlaceholderDigits + 2 || nsn[0] == '0')
                    continue;
                var rules = PhoneNumberRules.ForCallingCode(code);
                var answer = PhoneBlockValidity.Lookup(rules, nsn);
                if (answer == BlockAnswer.Some)
                    continue;
                decided++;
                var prefix = nsn[..^PhoneBlockValidity.PlaceholderDigits];
                for (var i = 0; i < 202; i++)
                {
                    var tail = i switch { 0 => 0, 1 => 9999, _ => random.Next(10_000) };
                    var national = prefix + tail.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
                    Assert.True(LibraryIsValid(code, national) == (answer == BlockAnswer.All), $"+{code} {national}: block says {answer}");
                }
            }
        }
        // Example numbers sit in ordinary blocks: most of them must be decided, or the memo would save nothing.
        Assert.True(decided > 500, $"only {decided} example blocks decided");
    }

    [Theory]
    [InlineData(@"^(?:7[1-57-9]\d{8})$", @"^(?:7[1-57-9][\dx]{8})$", @"^(?:[7x][1-57-9x][\dx]{8})$")]
    [InlineData(@"^(?:[0-9]{2}|5)$", @"^(?:[0-9x]{2}|5)$", @"^(?:[0-9x]{2}|[5x])$")]
    [InlineData(@"^(?:1(?:2|3)?)", @"^(?:1(?:2|3)?)", @"^(?:[1x](?:[2x]|[3x])?)")]
    public void TryRewrite_DigitPatterns_WidensOnlyWhereSound(string pattern, string every, string any)
    {
        Assert.True(BlockPattern.TryRewrite(pattern, out var gotEvery, out var gotAny));
        Assert.Equal(every, gotEvery);
        Assert.Equal(any, gotAny);
    }

    [Theory]
    [InlineData(@"^(?:\s\d)$")]
    [InlineData(@"^(?:[^5]\d)$")]
    [InlineData(@"^(?=5)\d$")]
    [InlineData(@"^(\d)\1$")]
    [InlineData(@"^.\d$")]
    public void TryRewrite_OtherConstructs_AreNotRewritten(string pattern)
    {
        Assert.False(BlockPattern.TryRewrite(pattern, out _, out _));
        Assert.Equal(BlockAnswer.Some, new BlockPattern(pattern).Classify("12xxxx"));
    }
}

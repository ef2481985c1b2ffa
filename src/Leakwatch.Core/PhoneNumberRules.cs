using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Leakwatch.Core;

/// <summary>
/// The parts of libphonenumber's metadata that the phone fast path needs, compiled once into
/// span-friendly form. Every decision here mirrors a specific step of libphonenumber's
/// <c>Parse</c>/<c>IsValidNumber</c> on the same metadata and the same .NET regex patterns, so the
/// answer is the library's own; where a step is not mirrored, callers fall back to the library.
/// </summary>
internal static class PhoneNumberRules
{
    /// <summary>Longest national significant number libphonenumber accepts.</summary>
    public const int MaxNationalLength = 17;

    /// <summary>Shortest national number libphonenumber keeps parsing (MIN_LENGTH_FOR_NSN).</summary>
    public const int MinNationalLength = 2;

    public static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private const string NonGeographicRegion = "001";

    // Index = calling code. libphonenumber reads 1–3 digits and stops at the first known code, so a
    // table lookup per prefix reproduces its extraction exactly.
    private static readonly bool[] KnownCallingCode = BuildKnownCallingCodes();

    private static readonly CallingCodeRules?[] ByCallingCode = new CallingCodeRules?[1000];

    private static readonly Dictionary<string, RegionRules> ByRegion = new(StringComparer.Ordinal);
    private static readonly Lock RegionLock = new();

    public static bool IsKnownCallingCode(int code) => (uint)code < 1000 && KnownCallingCode[code];

    /// <summary>The calling code that <paramref name="digits"/> starts with, as libphonenumber extracts it, or 0.</summary>
    public static int ExtractCallingCode(ReadOnlySpan<char> digits, out int length)
    {
        length = 0;
        if (digits.IsEmpty || digits[0] == '0')
            return 0;
        var code = 0;
        for (var i = 0; i < 3 && i < digits.Length; i++)
        {
            code = code * 10 + (digits[i] - '0');
            if (KnownCallingCode[code])
            {
                length = i + 1;
                return code;
            }
        }
        return 0;
    }

    public static CallingCodeRules ForCallingCode(int code)
    {
        var rules = Volatile.Read(ref ByCallingCode[code]);
        if (rules is not null)
            return rules;
        // Built at most a few times under a race; all copies are equivalent, the first one wins.
        var built = new CallingCodeRules(code);
        return Interlocked.CompareExchange(ref ByCallingCode[code], built, null) ?? built;
    }

    public static RegionRules ForRegion(string region)
    {
        lock (RegionLock)
        {
            if (!ByRegion.TryGetValue(region, out var rules))
            {
                var metadata = Util.GetMetadataForRegion(region)
                    ?? throw new ArgumentException($"No phone metadata for region {region}.", nameof(region));
                rules = new RegionRules(region, metadata);
                ByRegion[region] = rules;
            }
            return rules;
        }
    }

    private static bool[] BuildKnownCallingCodes()
    {
        var known = new bool[1000];
        foreach (var code in Util.GetSupportedCallingCodes())
        {
            if ((uint)code < 1000)
                known[code] = true;
        }
        return known;
    }

    internal static RegionRules RulesForMetadata(string region, PhoneMetadata metadata) =>
        region == NonGeographicRegion ? new RegionRules(region, metadata) : ForRegion(region);

    /// <summary>All regions sharing one calling code, in libphonenumber's order (main region first).</summary>
    internal sealed class CallingCodeRules
    {
        public readonly int Code;
        public readonly RegionRules[] Regions;

        /// <summary>Metadata libphonenumber parses '+cc' numbers with: the main region's, or the non-geographic entity's.</summary>
        public readonly RegionRules Main;

        public CallingCodeRules(int code)
        {
            Code = code;
            var regionCodes = Util.GetRegionCodesForCountryCode(code);
            Regions = new RegionRules[regionCodes.Count];
            for (var i = 0; i < regionCodes.Count; i++)
            {
                var region = regionCodes[i];
                var metadata = region == NonGeographicRegion
                    ? Util.GetMetadataForNonGeographicalRegion(code)
                    : Util.GetMetadataForRegion(region);
                Regions[i] = RulesForMetadata(region, metadata);
            }
            Main = Regions[0];
        }

        /// <summary>
        /// libphonenumber's <c>IsValidNumber</c> for a number without leading zeros, answered per number block where
        /// the block's answer is proven: see <see cref="PhoneBlockValidity"/>.
        /// </summary>
        public bool IsValid(ReadOnlySpan<char> nationalNumber) => PhoneBlockValidity.IsValid(this, nationalNumber);

        /// <summary>libphonenumber's <c>IsValidNumber</c> for a number without leading zeros, from the patterns.</summary>
        public bool IsValidUncached(ReadOnlySpan<char> nationalNumber)
        {
            RegionRules? region = null;
            if (Regions.Length == 1)
            {
                region = Regions[0];
            }
            else
            {
                // GetRegionCodeForNumberFromRegionList: leading digits decide when a region has them,
                // full type validation otherwise; the first region that claims the number wins.
                foreach (var candidate in Regions)
                {
                    if (candidate.HasLeadingDigits)
                    {
                        if (candidate.MatchesLeadingDigits(nationalNumber))
                        {
                            region = candidate;
                            break;
                        }
                    }
                    else if (candidate.HasKnownType(nationalNumber))
                    {
                        return true; // the library re-runs exactly this check for the chosen region
                    }
                }
                if (region is null)
                    return false;
            }

            if (!region.HasGeneralPattern)
                return nationalNumber.Length > MinNationalLength && nationalNumber.Length <= MaxNationalLength;
            return region.HasKnownType(nationalNumber);
        }

        /// <summary>
        /// <see cref="IsValidUncached"/> for every number that <paramref name="block"/> stands for: its digits, then
        /// <see cref="BlockPattern.Placeholder"/>s for any digits. The same steps, each pattern asked whether it
        /// matches all, none or some of those numbers.
        /// </summary>
        public BlockAnswer ClassifyBlock(ReadOnlySpan<char> block)
        {
            RegionRules? region = null;
            if (Regions.Length == 1)
            {
                region = Regions[0];
            }
            else
            {
                foreach (var candidate in Regions)
                {
                    if (candidate.HasLeadingDigits)
                    {
                        var leading = candidate.ClassifyLeadingDigits(block);
                        if (leading == BlockAnswer.Some)
                            return BlockAnswer.Some;
                        if (leading == BlockAnswer.All)
                        {
                            region = candidate;
                            break;
                        }
                    }
                    else
                    {
                        var known = candidate.ClassifyKnownType(block);
                        if (known != BlockAnswer.None)
                            return known;
                    }
                }
                if (region is null)
                    return BlockAnswer.None;
            }

            if (!region.HasGeneralPattern)
                return block.Length > MinNationalLength && block.Length <= MaxNationalLength ? BlockAnswer.All : BlockAnswer.None;
            return region.ClassifyKnownType(block);
        }
    }

    /// <summary>One region's validation and national-prefix rules.</summary>
    internal sealed class RegionRules
    {
        public readonly string Region;
        public readonly int CountryCode;
        public readonly bool HasGeneralPattern;
        public readonly bool HasLeadingDigits;
        public readonly bool HasNationalPrefixForParsing;
        public readonly bool HasNationalPrefixTransformRule;

        private readonly NumberDesc _general;
        private readonly NumberDesc _fixedLine;
        private readonly NumberDesc _mobile;
        private readonly bool _sameMobileAndFixedLinePattern;
        private readonly NumberDesc[] _otherTypes;
        private readonly AnchoredPrefix? _leadingDigits;
        private readonly AnchoredPrefix? _nationalPrefixForParsing;
        private readonly AnchoredPrefix _internationalPrefix;
        private readonly int[] _generalLengths;
        private readonly int[] _generalLocalOnlyLengths;

        public RegionRules(string region, PhoneMetadata metadata)
        {
            Region = region;
            CountryCode = metadata.CountryCode;
            HasGeneralPattern = metadata.GeneralDesc.HasNationalNumberPattern;
            _general = new NumberDesc(metadata.GeneralDesc);
            _fixedLine = new NumberDesc(metadata.FixedLine);
            _mobile = new NumberDesc(metadata.Mobile);
            _sameMobileAndFixedLinePattern = metadata.SameMobileAndFixedLinePattern;
            // Order is irrelevant: only "some type matched" matters for validity, not which one.
            _otherTypes =
            [
                new NumberDesc(metadata.PremiumRate), new NumberDesc(metadata.TollFree),
                new NumberDesc(metadata.SharedCost), new NumberDesc(metadata.Voip),
                new NumberDesc(metadata.PersonalNumber), new NumberDesc(metadata.Pager),
                new NumberDesc(metadata.Uan), new NumberDesc(metadata.Voicemail),
            ];
            HasLeadingDigits = metadata.HasLeadingDigits;
            _leadingDigits = HasLeadingDigits ? new AnchoredPrefix(metadata.LeadingDigits) : null;
            HasNationalPrefixForParsing = metadata.HasNationalPrefixForParsing;
            HasNationalPrefixTransformRule = metadata.HasNationalPrefixTransformRule;
            _nationalPrefixForParsing = HasNationalPrefixForParsing ? new AnchoredPrefix(metadata.NationalPrefixForParsing) : null;
            _internationalPrefix = new AnchoredPrefix(metadata.InternationalPrefix ?? "");
            _generalLengths = [.. metadata.GeneralDesc.PossibleLengthList];
            _generalLocalOnlyLengths = [.. metadata.GeneralDesc.PossibleLengthLocalOnlyList];
        }

        public bool MatchesLeadingDigits(ReadOnlySpan<char> nationalNumber) => _leadingDigits!.MatchLength(nationalNumber) >= 0;

        /// <summary>True if the IDD pattern matches at the start (an empty pattern always does, which sends such input to the library).</summary>
        public bool StartsWithInternationalPrefix(ReadOnlySpan<char> digits) => _internationalPrefix.MatchLength(digits) >= 0;

        /// <summary>GetNumberTypeHelper(...) != UNKNOWN.</summary>
        public bool HasKnownType(ReadOnlySpan<char> nationalNumber)
        {
            if (!HasGeneralPattern || !_general.Matches(nationalNumber))
                return false;
            // The library tests fixed line before mobile, but for validity only the disjunction
            // counts; leaked numbers are mostly mobile, so test that first.
            if (!_sameMobileAndFixedLinePattern && _mobile.Matches(nationalNumber))
                return true;
            if (_fixedLine.Matches(nationalNumber))
                return true;
            foreach (var desc in _otherTypes)
            {
                if (desc.Matches(nationalNumber))
                    return true;
            }
            return false;
        }

        public BlockAnswer ClassifyLeadingDigits(ReadOnlySpan<char> block) => _leadingDigits!.Classify(block);

        /// <summary><see cref="HasKnownType"/> for every number of the block: all, none, or some.</summary>
        public BlockAnswer ClassifyKnownType(ReadOnlySpan<char> block)
        {
            if (!HasGeneralPattern)
                return BlockAnswer.None;
            var general = _general.Classify(block);
            if (general == BlockAnswer.None)
                return BlockAnswer.None;
            var anyType = BlockAnswer.None;
            if (!_sameMobileAndFixedLinePattern)
                anyType = Or(anyType, _mobile.Classify(block));
            anyType = Or(anyType, _fixedLine.Classify(block));
            foreach (var desc in _otherTypes)
            {
                if (anyType == BlockAnswer.All)
                    break;
                anyType = Or(anyType, desc.Classify(block));
            }
            return anyType == BlockAnswer.None ? BlockAnswer.None
                : general == BlockAnswer.All && anyType == BlockAnswer.All ? BlockAnswer.All
                : BlockAnswer.Some;
        }

        private static BlockAnswer Or(BlockAnswer a, BlockAnswer b) =>
            a == BlockAnswer.All || b == BlockAnswer.All ? BlockAnswer.All
            : a == BlockAnswer.None && b == BlockAnswer.None ? BlockAnswer.None
            : BlockAnswer.Some;

        /// <summary>
        /// How many leading digits libphonenumber's parse strips as a national prefix:
        /// 0 for none, or -1 when the outcome depends on a transform rule (caller must use the library).
        /// </summary>
        public int NationalPrefixLength(ReadOnlySpan<char> number)
        {
            if (number.IsEmpty || !HasNationalPrefixForParsing)
                return 0;
            var prefixLength = _nationalPrefixForParsing!.MatchLength(number);
            if (prefixLength < 0)
                return 0;
            if (HasNationalPrefixTransformRule)
                return -1;

            // The library keeps the digits if stripping would turn a viable number into a non-viable one…
            if (_general.MatchesPattern(number) && !_general.MatchesPattern(number[prefixLength..]))
                return 0;
            // …and undoes the strip if what is left is not a possible length (TestNumberLength).
            return StrippedLengthIsKept(number.Length - prefixLength) ? prefixLength : 0;
        }

        /// <summary>TestNumberLength(length) is neither TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY nor INVALID_LENGTH.</summary>
        private bool StrippedLengthIsKept(int length)
        {
            var lengths = _generalLengths;
            if (lengths.Length == 0 || lengths[0] == -1)
                return false;
            if (Array.IndexOf(_generalLocalOnlyLengths, length) >= 0)
                return false;
            if (lengths[0] == length)
                return true;
            if (lengths[0] > length)
                return false;
            if (lengths[^1] < length)
                return true; // TOO_LONG keeps the strip
            return Array.IndexOf(lengths, length) >= 0;
        }
    }

    /// <summary>A PhoneNumberDesc: possible lengths checked before the (whole-string) pattern.</summary>
    private sealed class NumberDesc
    {
        private readonly bool _checkLengths;
        private readonly uint _lengthMask;
        private readonly AdaptiveRegex _regex;
        private readonly BlockPattern _block;

        public NumberDesc(PhoneNumberDesc desc)
        {
            _checkLengths = desc.PossibleLengthCount > 0;
            foreach (var length in desc.PossibleLengthList)
            {
                if (length is > 0 and < 32)
                    _lengthMask |= 1u << length;
            }
            _regex = new AdaptiveRegex($"^(?:{desc.NationalNumberPattern ?? ""})$");
            _block = new BlockPattern($"^(?:{desc.NationalNumberPattern ?? ""})$");
        }

        /// <summary>IsNumberMatchingDesc.</summary>
        public bool Matches(ReadOnlySpan<char> nationalNumber)
        {
            if (_checkLengths && (nationalNumber.Length >= 32 || (_lengthMask & (1u << nationalNumber.Length)) == 0))
                return false;
            return MatchesPattern(nationalNumber);
        }

        public bool MatchesPattern(ReadOnlySpan<char> nationalNumber)
        {
            return _regex.Get().IsMatch(nationalNumber);
        }

        /// <summary><see cref="Matches"/> for every number of the block (its length is theirs).</summary>
        public BlockAnswer Classify(ReadOnlySpan<char> block)
        {
            if (_checkLengths && (block.Length >= 32 || (_lengthMask & (1u << block.Length)) == 0))
                return BlockAnswer.None;
            return _block.Classify(block);
        }
    }

    /// <summary>A pattern matched at the start of the input, like libphonenumber's lookingAt.</summary>
    private sealed class AnchoredPrefix
    {
        public readonly string Pattern;
        private readonly string[]? _literalAlternatives;
        private readonly AdaptiveRegex _regex;
        private readonly BlockPattern _block;

        public AnchoredPrefix(string pattern)
        {
            Pattern = pattern;
            _regex = new AdaptiveRegex($"^(?:{pattern})");
            _block = new BlockPattern($"^(?:{pattern})");
            // Most prefixes are plain digit strings or alternations of them ("0", "00", "0|180020"):
            // those are matched without a regex, trying alternatives in order as the regex engine does.
            if (pattern.Length > 0 && !pattern.AsSpan().ContainsAnyExcept("0123456789|") && !pattern.Split('|').Contains(""))
                _literalAlternatives = pattern.Split('|');
        }

        /// <summary>Length of the match at the start, or -1 if there is none.</summary>
        public int MatchLength(ReadOnlySpan<char> input)
        {
            if (_literalAlternatives is not null)
            {
                foreach (var alternative in _literalAlternatives)
                {
                    if (input.StartsWith(alternative, StringComparison.Ordinal))
                        return alternative.Length;
                }
                return -1;
            }
            foreach (var match in _regex.Get().EnumerateMatches(input))
                return match.Length;
            return -1;
        }

        /// <summary>Whether the pattern matches at the start of all, none or some of the block's numbers.</summary>
        public BlockAnswer Classify(ReadOnlySpan<char> block) => _block.Classify(block);
    }

    /// <summary>
    /// Interpreted until a pattern has proven hot, then compiled. Compiling is dear: one of libphonenumber's patterns
    /// makes up to 23 KB of IL, and a 2M-row dump with numbers from every country (~230 patterns, each used a few
    /// thousand times) spent 1.7 s of its 6 s of CPU in the JIT when patterns compiled after 256 uses. After 4,096
    /// uses, or never, the same ingest took 4.2 s of CPU (BENCHMARKS.md, session 15). A dump of one country's numbers
    /// still compiles its handful of patterns early in a long run, where compiled matching pays off.
    /// </summary>
    internal sealed class AdaptiveRegex(string pattern)
    {
        private const int UsesBeforeCompiling = 8192;

        private Regex? _interpreted;
        private Regex? _compiled;
        private int _uses; // racy on purpose: an approximate count is enough to decide when to compile

        public Regex Get()
        {
            if (_compiled is { } compiled)
                return compiled;
            // No timeout: the patterns are libphonenumber's metadata, not input, and they only ever see a national
            // number of at most 17 digits; a timeout would add checks to every phone the ingest normalizes.
            if (++_uses > UsesBeforeCompiling)
                return _compiled = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, Regex.InfiniteMatchTimeout);
            return _interpreted ??= new Regex(pattern, RegexOptions.CultureInvariant, Regex.InfiniteMatchTimeout);
        }
    }
}

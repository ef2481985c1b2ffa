using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Leakwatch.Synthetic.Internal;

/// <summary>A country persons come from: its mobile numbering (from libphonenumber metadata) and its Bogus locale.</summary>
internal sealed class Country
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public string Region { get; }
    public string Name { get; }
    public string Locale { get; }
    public double Weight { get; }
    public int CountryCode { get; }
    public int CountryCodeDigits { get; }

    /// <summary>Length of the national significant number of the mobile numbers generated for this country.</summary>
    public int NsnLength { get; }

    public ulong NsnPow10 { get; }

    /// <summary>Digit groups of the national number as libphonenumber writes it internationally ("+44 7400 123456" → 4, 6).</summary>
    public int[] Groups { get; }

    // Built on first use: the default generator needs only the exact patterns, the lean one only the block patterns,
    // and building all 64 (compiled) regexes up front cost more CPU than a lean run of millions of rows.
    private readonly string _generalPattern, _mobilePattern;
    private Regex? _general, _mobile, _generalBlock, _mobileBlock;
    private readonly HashSet<int> _generalLengths;
    private readonly HashSet<int> _mobileLengths;

    public Country(string region, string name, string locale, double weight)
    {
        Region = region;
        Name = name;
        Locale = locale;
        Weight = weight;
        PhoneNumber example = Util.GetExampleNumberForType(region, PhoneNumberType.MOBILE)
            ?? throw new InvalidOperationException($"libphonenumber has no example mobile number for {region}");
        CountryCode = example.CountryCode;
        CountryCodeDigits = CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        NsnLength = example.NationalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        NsnPow10 = Pow10(NsnLength);
        string international = Util.Format(example, PhoneNumberFormat.INTERNATIONAL);
        string national = international[(1 + CountryCodeDigits)..];
        Groups = national.Split([' ', '-', '(', ')'], StringSplitOptions.RemoveEmptyEntries).Select(g => g.Length).ToArray();
        if (Groups.Sum() != NsnLength) Groups = [NsnLength];
        PhoneMetadata metadata = Util.GetMetadataForRegion(region);
        _generalPattern = metadata.GeneralDesc.NationalNumberPattern;
        _mobilePattern = metadata.Mobile.NationalNumberPattern;
        HasBlockCheck = BlockCheckSound(_generalPattern) && BlockCheckSound(_mobilePattern);
        _generalLengths = [.. metadata.GeneralDesc.PossibleLengthList];
        _mobileLengths = [.. metadata.Mobile.PossibleLengthList];
    }

    public ulong ToE164(ulong nsn) => (ulong)CountryCode * NsnPow10 + nsn;

    /// <summary>Whether a national number of <see cref="NsnLength"/> digits is a valid mobile number. This is exactly
    /// libphonenumber's own test (possible lengths and full match of the general and the mobile pattern of the region's
    /// metadata), without its per-call overhead; <see cref="LibValid"/> is the slow reference and is used to spot-check it.</summary>
    public bool FastValid(ulong nsn)
    {
        Span<char> digits = stackalloc char[20];
        if (!nsn.TryFormat(digits, out int n, default, System.Globalization.CultureInfo.InvariantCulture) || n != NsnLength) return false;
        if (_generalLengths.Count > 0 && !_generalLengths.Contains(n)) return false;
        if (_mobileLengths.Count > 0 && !_mobileLengths.Contains(n)) return false;
        ReadOnlySpan<char> s = digits[..n];
        // No timeout: libphonenumber's own patterns, matched against generated national numbers of a fixed length.
        // Two threads racing here each build an equal regex; either is kept.
        _general ??= new Regex("^(?:" + _generalPattern + ")$", RegexOptions.CultureInvariant | RegexOptions.Compiled, Regex.InfiniteMatchTimeout);
        _mobile ??= new Regex("^(?:" + _mobilePattern + ")$", RegexOptions.CultureInvariant | RegexOptions.Compiled, Regex.InfiniteMatchTimeout);
        return _general.IsMatch(s) && _mobile.IsMatch(s);
    }

    /// <summary>False when a <c>\d</c> sits inside a bracket class, where the widening of <see cref="BlockRegex"/> would not be sound.</summary>
    private static bool BlockCheckSound(string pattern) =>
        !Regex.IsMatch(pattern, @"\[[^\]]*\\d", RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>The pattern with every <c>\d</c> (or <c>[0-9]</c>) also matching 'x'. Interpreted, not compiled: it runs a
    /// few times per block of 10,000 numbers, and compiling 32 of them cost more than all their matches.</summary>
    private static Regex BlockRegex(string pattern)
    {
        // The metadata writes a digit as \d or as the class [0-9] (libphonenumber-csharp): both widen the same way.
        string rewritten = pattern.Replace(@"\d", "[0-9x]", StringComparison.Ordinal).Replace("[0-9]", "[0-9x]", StringComparison.Ordinal);
        return new Regex("^(?:" + rewritten + ")$", RegexOptions.CultureInvariant, Regex.InfiniteMatchTimeout);
    }

    /// <summary>Whether the block check of <see cref="BlockAllValid"/> can run for this country.</summary>
    public bool HasBlockCheck { get; }

    /// <summary>True only if <em>every</em> national number prefix·10,000 + t (t = 0…9999) is a valid mobile number: the
    /// prefix followed by "xxxx" matches both patterns with each <c>\d</c> widened to also match 'x'. A match path then
    /// consumes the four x's with <c>\d</c> only, and that same path matches any four digits in their place, so a true
    /// answer is a proof (false may be a block with some valid numbers, which the caller just does not use).</summary>
    public bool BlockAllValid(ulong prefix)
    {
        if (!HasBlockCheck) return false;
        int n = NsnLength;
        if (_generalLengths.Count > 0 && !_generalLengths.Contains(n)) return false;
        if (_mobileLengths.Count > 0 && !_mobileLengths.Contains(n)) return false;
        Span<char> text = stackalloc char[24];
        if (!prefix.TryFormat(text, out int p, default, System.Globalization.CultureInfo.InvariantCulture) || p != n - 4) return false;
        text.Slice(p, 4).Fill('x');
        ReadOnlySpan<char> s = text[..n];
        _generalBlock ??= BlockRegex(_generalPattern);
        _mobileBlock ??= BlockRegex(_mobilePattern);
        return _generalBlock.IsMatch(s) && _mobileBlock.IsMatch(s);
    }

    /// <summary>libphonenumber's verdict on "+" followed by these E.164 digits: valid, and read back as the same number.</summary>
    public static bool LibValid(ulong e164)
    {
        try
        {
            PhoneNumber number = Util.Parse("+" + e164.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
            return Util.IsValidNumber(number) && ToE164Digits(number) == e164;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>libphonenumber's verdict on a digit string written with a leading '+': null when invalid, else its E.164 digits.</summary>
    public static ulong? LibNormalize(string digits)
    {
        if (digits.Length is 0 or > 17) return null;
        try
        {
            PhoneNumber number = Util.Parse("+" + digits, null);
            return Util.IsValidNumber(number) ? ToE164Digits(number) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    public static ulong ToE164Digits(PhoneNumber number)
    {
        ulong nsn = number.NationalNumber;
        int len = nsn == 0 ? 1 : (int)Math.Floor(Math.Log10(nsn)) + 1;
        return (ulong)number.CountryCode * Pow10(len) + nsn;
    }

    public static int CountryCodeOf(ulong e164)
    {
        try
        {
            return Util.Parse("+" + e164.ToString(System.Globalization.CultureInfo.InvariantCulture), null).CountryCode;
        }
        catch (NumberParseException)
        {
            return 0;
        }
    }

    public static ulong Pow10(int n)
    {
        ulong p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }

    public static int DigitCount(ulong v)
    {
        int n = 1;
        while (v >= 10)
        {
            v /= 10;
            n++;
        }
        return n;
    }

    /// <summary>The countries, weighted roughly like the 2021 scrape (Egypt, Italy, the US, Saudi Arabia, France, Turkey…).</summary>
    public static readonly Lazy<Country[]> All = new(() =>
    [
        new("US", "United States", "en_US", 12),
        new("EG", "Egypt", "ar", 10),
        new("IT", "Italy", "it", 9),
        new("SA", "Saudi Arabia", "ar", 7),
        new("FR", "France", "fr", 7),
        new("TR", "Turkey", "tr", 6),
        new("IN", "India", "en_IND", 6),
        new("BR", "Brazil", "pt_BR", 6),
        new("GB", "United Kingdom", "en_GB", 5),
        new("NG", "Nigeria", "en_NG", 4),
        new("MX", "Mexico", "es_MX", 4),
        new("DE", "Germany", "de", 3),
        new("PH", "Philippines", "en", 3),
        new("ID", "Indonesia", "id_ID", 2),
        new("PK", "Pakistan", "en", 2),
        new("BD", "Bangladesh", "en", 2),
    ]);
}

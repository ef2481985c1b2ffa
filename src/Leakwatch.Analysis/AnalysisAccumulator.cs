using System.Runtime.InteropServices;
using Leakwatch.Core;

namespace Leakwatch.Analysis;

/// <summary>
/// Per-thread aggregates for the verification report, fed by an ingest worker with values it has already
/// normalized. Every <c>Add…</c> is allocation-free on the steady path (a new email domain or phone prefix
/// allocates once) and takes no lock; combine the workers' accumulators with <see cref="Merge"/> at the end.
/// Holds nothing but counts and, for the enumeration analysis, the valid phone numbers (in memory up to
/// <see cref="AnalysisOptions.PhoneMemoryBytes"/>, beyond that in encrypted temp runs). Dispose to drop them.
/// </summary>
public sealed class AnalysisAccumulator : IDisposable
{
    /// <summary>Birth dates are counted per day from 1900-01-01 (the parser's earliest) for 200 years.</summary>
    internal static readonly DateOnly FirstDay = new(1900, 1, 1);
    internal const int DaySpan = 200 * 366;

    // Region is resolved once per leading-digits prefix: cc + the next digits decide the region (NANP area
    // codes, +44 7781 Guernsey…), and RegionOf is far too slow to call per row.
    private const int RegionPrefixDigits = 6;
    private const int MaxPrefixes = 1 << 20;

    private readonly AnalysisOptions _options;
    private readonly Dictionary<string, long> _domains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _tlds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _domainLookup;
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _tldLookup;
    private readonly Dictionary<ulong, PrefixCount> _phonePrefixes = [];
    private readonly long[] _validPhonesByCode = new long[1000];
    private readonly long[] _invalidPhonesByCode = new long[1000];
    private readonly long[] _days = new long[DaySpan];
    private readonly long[] _genders = new long[4];
    private readonly int _defaultRegionCode;
    private PhoneNumberStore _phones;

    public AnalysisAccumulator(AnalysisOptions? options = null)
    {
        _options = options ?? AnalysisOptions.Default;
        _domainLookup = _domains.GetAlternateLookup<ReadOnlySpan<char>>();
        _tldLookup = _tlds.GetAlternateLookup<ReadOnlySpan<char>>();
        _phones = new PhoneNumberStore(_options.PhoneMemoryBytes, _options.TempDirectory);
        if (!string.IsNullOrWhiteSpace(_options.DefaultRegion))
        {
            _defaultRegionCode = PhoneNumbers.PhoneNumberUtil.GetInstance().GetCountryCodeForRegion(_options.DefaultRegion.Trim().ToUpperInvariant());
        }
    }

    public AnalysisOptions Options => _options;

    public long ValidEmails { get; private set; }
    public long InvalidEmails { get; private set; }
    public long ValidPhones { get; private set; }
    public long InvalidPhones { get; private set; }
    public long ValidBirthDates { get; private set; }
    public long InvalidBirthDates { get; private set; }

    /// <summary>Valid emails whose domain was not tracked because <see cref="AnalysisOptions.MaxDistinctDomains"/> was reached.</summary>
    public long UntrackedDomainEmails { get; private set; }

    /// <summary>Gender values seen (call <see cref="AddGender"/> for non-empty values only); index by <see cref="Gender"/>.</summary>
    public ReadOnlySpan<long> Genders => _genders;

    internal IReadOnlyDictionary<string, long> Domains => _domains;
    internal IReadOnlyDictionary<string, long> Tlds => _tlds;
    internal ReadOnlySpan<long> Days => _days;
    internal ReadOnlySpan<long> ValidPhonesByCallingCode => _validPhonesByCode;
    internal ReadOnlySpan<long> InvalidPhonesByCallingCode => _invalidPhonesByCode;
    internal PhoneNumberStore Phones => _phones;

    /// <summary>A valid email as <see cref="EmailNormalizer"/> wrote it (lowercase, A-label domain).</summary>
    public void AddEmail(ReadOnlySpan<char> normalizedEmail)
    {
        ValidEmails++;
        var at = normalizedEmail.LastIndexOf('@');
        var domain = normalizedEmail[(at + 1)..];
        if (domain.IsEmpty)
        {
            return;
        }

        var dot = domain.LastIndexOf('.');
        Increment(_tldLookup, domain[(dot + 1)..], int.MaxValue);
        if (!Increment(_domainLookup, domain, _options.MaxDistinctDomains))
        {
            UntrackedDomainEmails++;
        }
    }

    /// <summary>A non-empty email that <see cref="EmailNormalizer"/> rejected.</summary>
    public void AddInvalidEmail() => InvalidEmails++;

    /// <summary>A valid phone number as <see cref="PhoneNormalizer"/> returned it (E.164 digits).</summary>
    public void AddPhone(ulong e164)
    {
        ValidPhones++;
        _phones.Add(e164);
        var digits = PhoneDigits.DigitCount(e164);
        var key = ((ulong)digits << 56) | PhoneDigits.Leading(e164, digits, RegionPrefixDigits);
        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_phonePrefixes, key);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            slot.Count++;
            _validPhonesByCode[slot.CallingCode]++;
            return;
        }

        var code = PhoneNormalizer.CountryCodeOf(e164);
        _validPhonesByCode[code]++;
        if (_phonePrefixes.Count < MaxPrefixes)
        {
            _phonePrefixes[key] = new PrefixCount { Count = 1, CallingCode = (short)code, Region = PhoneNormalizer.RegionOf(e164) };
        }
        else
        {
            // Past the cap (only on absurd input) regions are resolved per number; rare, so the cost is bounded.
            ref var overflow = ref CollectionsMarshal.GetValueRefOrAddDefault(_overflowRegions, PhoneNormalizer.RegionOf(e164), out _);
            overflow++;
        }
    }

    private readonly Dictionary<string, long> _overflowRegions = new(StringComparer.Ordinal);

    /// <summary>A non-empty phone value that <see cref="PhoneNormalizer"/> rejected; not attributed to a country.</summary>
    public void AddInvalidPhone() => InvalidPhones++;

    /// <summary>
    /// A non-empty phone value that <see cref="PhoneNormalizer"/> rejected, attributed to a calling code where its
    /// text shows one ('+' or 00 in front, or bare digits without a default region), else to the default region.
    /// </summary>
    public void AddInvalidPhone(ReadOnlySpan<char> raw)
    {
        InvalidPhones++;
        var text = raw.Trim();
        var international = !text.IsEmpty && (text[0] == '+' || _defaultRegionCode == 0);
        if (!international)
        {
            _invalidPhonesByCode[_defaultRegionCode]++;
            return;
        }

        // Without a default region a leading 00 (the international call prefix) stands for '+', as in PhoneNormalizer.
        if (text[0] != '+' && PhoneNormalizer.StartsWithDoubleZero(text))
        {
            text = text[2..];
        }

        ulong digits = 0;
        var count = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == 0 && c == '0')
                {
                    break; // an IDD or trunk prefix: no calling code can be read from it
                }

                if (++count > 18)
                {
                    break;
                }

                digits = digits * 10 + (ulong)(c - '0');
            }
        }

        var code = count == 0 ? 0 : PhoneNormalizer.CountryCodeOf(digits);
        _invalidPhonesByCode[code]++;
    }

    /// <summary>A plausible birth date as <see cref="BirthDateParser"/> returned it.</summary>
    public void AddBirthDate(DateOnly date)
    {
        ValidBirthDates++;
        var day = date.DayNumber - FirstDay.DayNumber;
        if ((uint)day < DaySpan)
        {
            _days[day]++;
        }
    }

    public void AddInvalidBirthDate() => InvalidBirthDates++;

    /// <summary>A non-empty gender value; <see cref="Gender.Unknown"/> counts as "unrecognized".</summary>
    public void AddGender(Gender gender)
    {
        var i = (int)gender;
        if ((uint)i < (uint)_genders.Length)
        {
            _genders[i]++;
        }
    }

    /// <summary>Adds <paramref name="other"/>'s counts and takes over its phone numbers (it is left empty of them).</summary>
    public void Merge(AnalysisAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return;
        }

        ValidEmails += other.ValidEmails;
        InvalidEmails += other.InvalidEmails;
        ValidPhones += other.ValidPhones;
        InvalidPhones += other.InvalidPhones;
        ValidBirthDates += other.ValidBirthDates;
        InvalidBirthDates += other.InvalidBirthDates;
        UntrackedDomainEmails += other.UntrackedDomainEmails;
        foreach (var (domain, count) in other._domains)
        {
            if (_domains.Count < _options.MaxDistinctDomains || _domains.ContainsKey(domain))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_domains, domain, out _) += count;
            }
            else
            {
                UntrackedDomainEmails += count;
            }
        }

        foreach (var (tld, count) in other._tlds)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_tlds, tld, out _) += count;
        }

        foreach (var (key, prefix) in other._phonePrefixes)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_phonePrefixes, key, out var exists);
            if (exists)
            {
                slot.Count += prefix.Count;
            }
            else
            {
                slot = prefix;
            }
        }

        foreach (var (region, count) in other._overflowRegions)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_overflowRegions, region, out _) += count;
        }

        Add(_validPhonesByCode, other._validPhonesByCode);
        Add(_invalidPhonesByCode, other._invalidPhonesByCode);
        Add(_days, other._days);
        Add(_genders, other._genders);
        _phones.Adopt(other._phones);
    }

    /// <summary>Valid phone occurrences per ISO region ("001" non-geographic, "ZZ" unknown).</summary>
    internal Dictionary<string, long> PhonesByRegion()
    {
        var result = new Dictionary<string, long>(_overflowRegions, StringComparer.Ordinal);
        foreach (var prefix in _phonePrefixes.Values)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(result, prefix.Region, out _) += prefix.Count;
        }

        return result;
    }

    public void Dispose() => _phones.Dispose();

    private static bool Increment(Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<char> key, int limit)
    {
        ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(lookup, key);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref count))
        {
            count++;
            return true;
        }

        if (lookup.Dictionary.Count >= limit)
        {
            return false;
        }

        lookup[key] = 1;
        return true;
    }

    private static void Add(long[] into, long[] from)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] += from[i];
        }
    }

    private struct PrefixCount
    {
        public long Count;
        public short CallingCode;
        public string Region;
    }
}

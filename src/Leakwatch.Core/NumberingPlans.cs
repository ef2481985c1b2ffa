using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using PhoneNumbers;

namespace Leakwatch.Core;

/// <summary>
/// How many valid phone numbers each country calling code's numbering plan holds: the crowd a phone bucket of the
/// private index hides in. The table (<c>Resources/numbering-plans.txt</c>) is computed by <see cref="Estimate"/>
/// from libphonenumber's metadata and bundled, so the server, the web client and the conformance client read the
/// same numbers; a test recomputes it against the metadata in use.
/// </summary>
public static class NumberingPlans
{
    private const string ResourceName = "Leakwatch.Core.Resources.numbering-plans.txt";

    /// <summary>Leading digits enumerated per length; the rest of the number is one pseudorandom sample.</summary>
    public const int StratumDigits = 4;

    private static readonly FrozenDictionary<int, long> Table = Load();

    /// <summary>Calling codes in the table, ascending.</summary>
    public static IReadOnlyList<int> CallingCodes { get; } = [.. Table.Keys.Order()];

    /// <summary>The bundled estimate of valid numbers under <paramref name="callingCode"/>, or 0 for an unknown code.</summary>
    public static long PossibleNumbers(int callingCode) => Table.GetValueOrDefault(callingCode);

    /// <summary>
    /// Deterministic estimate of the valid numbers of a calling code: for every national length any of its regions
    /// allows, each of the 10^4 combinations of the first four digits is completed with one pseudorandom suffix
    /// (a fixed function of code, length and prefix) and tested with libphonenumber's <c>IsValidNumber</c>, the
    /// test ingest applies; each hit stands for 10^(length − 4) numbers. Plans allocate by leading digits, so
    /// stratifying on them keeps the estimate close; short lengths are enumerated whole.
    /// </summary>
    public static long Estimate(int callingCode)
    {
        var util = PhoneNumberRules.Util;
        var lengths = new SortedSet<int>();
        foreach (var region in util.GetRegionCodesForCountryCode(callingCode))
        {
            var metadata = region == "001" ? util.GetMetadataForNonGeographicalRegion(callingCode) : util.GetMetadataForRegion(region);
            if (metadata?.GeneralDesc is { } general)
            {
                lengths.UnionWith(general.PossibleLengthList);
            }
        }

        long total = 0;
        Span<char> digits = stackalloc char[PhoneNumberRules.MaxNationalLength];
        foreach (var length in lengths)
        {
            var stratum = Math.Min(length, StratumDigits);
            var strata = Pow10(stratum);
            long hits = 0;
            for (var prefix = 0L; prefix < strata; prefix++)
            {
                var number = digits[..length];
                Fill(number[..stratum], prefix);
                Fill(number[stratum..], Suffix(callingCode, length, prefix) % Pow10(length - stratum));
                if (IsValid(util, callingCode, number))
                {
                    hits++;
                }
            }

            total += hits * Pow10(length - stratum);
        }

        return total;
    }

    private static bool IsValid(PhoneNumberUtil util, int callingCode, ReadOnlySpan<char> national)
    {
        var value = ulong.Parse(national, provider: CultureInfo.InvariantCulture);
        if (value == 0)
        {
            return false;
        }

        var builder = PhoneNumber.CreateBuilder();
        builder.CountryCode = callingCode;
        builder.NationalNumber = value;
        var zeros = 0;
        while (zeros < national.Length - 1 && national[zeros] == '0')
        {
            zeros++;
        }

        if (zeros > 0)
        {
            builder.NumberOfLeadingZeros = zeros;
        }

        return util.IsValidNumber(builder.Build());
    }

    /// <summary>SplitMix64 of (code, length, prefix): a suffix that is the same on every machine and run.</summary>
    private static long Suffix(int callingCode, int length, long prefix)
    {
        var z = ((ulong)callingCode << 40) ^ ((ulong)length << 32) ^ (ulong)prefix;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)((z ^ (z >> 31)) >> 1);
    }

    private static void Fill(Span<char> destination, long value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
    }

    private static long Pow10(int n)
    {
        var p = 1L;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    private static FrozenDictionary<int, long> Load()
    {
        using var stream = typeof(NumberingPlans).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        var table = new Dictionary<int, long>();
        while (reader.ReadLine() is { } line)
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            var parts = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            table[int.Parse(parts[0], CultureInfo.InvariantCulture)] = long.Parse(parts[1], CultureInfo.InvariantCulture);
        }

        return table.ToFrozenDictionary();
    }
}

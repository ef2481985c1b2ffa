using System.Globalization;
using Leakwatch.Analysis;
using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Reading;

namespace Leakwatch.Ingest;

/// <summary>
/// Verifies a dump from a uniform sample of its rows, without ingesting it: one streaming pass keeps a seeded
/// reservoir (Algorithm L), then every metric is computed on the sample with a 95% Wilson interval, and overlap
/// comes from one index lookup per distinct sampled identifier. The report says what a sample of that size can
/// and cannot establish.
/// </summary>
public static class SampleVerifier
{
    /// <param name="lookupKey">Index lookup (e.g. <c>ExposureIndexReader.Lookup</c>): breach ids holding a key; null = no overlap analysis.</param>
    /// <param name="hasher">The keyed hasher matching the index; required with <paramref name="lookupKey"/>.</param>
    /// <param name="breachNames">Earlier breaches by id; every one is listed in the overlap, zeros included.</param>
    public static VerificationReport Run(string path, ReaderOptions reader, SampleOptions options,
        Func<UInt128, int[]>? lookupKey, IdentifierHasher? hasher, IReadOnlyDictionary<int, string>? breachNames,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "sample size must be at least 1");
        }

        if (lookupKey is not null && hasher is null)
        {
            throw new ArgumentException("a hasher is required to look keys up", nameof(hasher));
        }

        var phones = new PhoneNormalizer(options.Region);
        var (rows, population) = Draw(path, reader, options.Size, options.Seed, ct);
        var today = options.Today ?? DateOnly.FromDateTime(DateTime.UtcNow);

        using var acc = new AnalysisAccumulator(new AnalysisOptions
        {
            DefaultRegion = options.Region,
            TempDirectory = options.TempDirectory ?? Path.GetTempPath(),
        });
        var tally = new SampleTally(acc, phones, options.DateOrder, today);
        foreach (var row in rows)
        {
            tally.Add(row);
        }

        List<(string, long, long)> overlap = [];
        (long, long)? seen = null;
        if (lookupKey is not null && hasher is not null)
        {
            (overlap, seen) = Overlap(tally.Emails, tally.Numbers, lookupKey, hasher, breachNames);
        }

        var info = Describe(rows.Count, population, options.Seed);
        return ReportBuilder.Build(new ReportInputs
        {
            Rows = rows.Count,
            DuplicateRows = tally.Duplicates,
            InvalidEmail = tally.InvalidEmail,
            InvalidPhone = tally.InvalidPhone,
            InvalidBirthdate = tally.InvalidBirthdate,
            DistinctEmail = tally.Emails.Count,
            DistinctPhone = tally.Numbers.Count,
            Analysis = acc,
            Overlap = overlap,
            SeenBefore = seen,
            ClaimedDomain = options.ClaimedDomain,
            Breach = options.Breach,
            Sample = info,
        });
    }

    private static (List<(string, long, long)>, (long, long)) Overlap(HashSet<string> emails, HashSet<ulong> numbers,
        Func<UInt128, int[]> lookupKey, IdentifierHasher hasher, IReadOnlyDictionary<int, string>? breachNames)
    {
        var perBreach = new Dictionary<int, (long Emails, long Phones)>();
        if (breachNames is not null)
        {
            foreach (var id in breachNames.Keys)
            {
                perBreach[id] = (0, 0);
            }
        }

        long seenEmails = 0, seenPhones = 0;
        foreach (var e in emails)
        {
            var ids = lookupKey(hasher.HashEmail(e));
            if (ids.Length > 0)
            {
                seenEmails++;
            }

            foreach (var id in ids)
            {
                var c = perBreach.GetValueOrDefault(id);
                perBreach[id] = (c.Emails + 1, c.Phones);
            }
        }

        foreach (var p in numbers)
        {
            var ids = lookupKey(hasher.HashPhone(p));
            if (ids.Length > 0)
            {
                seenPhones++;
            }

            foreach (var id in ids)
            {
                var c = perBreach.GetValueOrDefault(id);
                perBreach[id] = (c.Emails, c.Phones + 1);
            }
        }

        var list = new List<(string, long, long)>(perBreach.Count);
        foreach (var (id, c) in perBreach)
        {
            var name = breachNames is not null && breachNames.TryGetValue(id, out var n) ? n : "#" + id.ToString(CultureInfo.InvariantCulture);
            list.Add((name, c.Emails, c.Phones));
        }

        return (list, (seenEmails, seenPhones));
    }

    internal static SampleInfo Describe(int sampleSize, long population, long seed)
    {
        var complete = sampleSize >= population;
        var n = Math.Max(1, sampleSize);
        var halfWidth = WilsonInterval.WorstCaseHalfWidth(n);
        var rare = 3.0 / n;
        var fraction = population == 0 ? 1 : (double)sampleSize / population;
        var can = new List<string>();
        var cannot = new List<string>();
        if (complete)
        {
            can.Add($"the sample is the whole dump ({N(population)} rows): counts are exact and the run analysis covers every number");
        }
        else
        {
            can.Add($"validity, overlap and mix ratios (countries, email domains and TLDs, gender, birth years) to within ±{P(halfWidth)} at 95% confidence in the worst case (a ratio near 50%); each ratio carries its own Wilson interval, narrower away from 50%");
            can.Add($"recycled versus new, when the overlap interval lies clearly on one side of the {P(ReportBuilder.RecycledShare)} or {P(ReportBuilder.NewShare)} threshold");
            can.Add($"that something is rare: a value never seen in {N(sampleSize)} rows is, with 95% confidence, in fewer than {P(rare)} of the dump's rows (rule of three)");
            can.Add("a claimed-domain mismatch, low field validity and default birth dates, when they involve more than a few percent of rows");
            cannot.Add($"the longest run of consecutive phone numbers or how many numbers sit in runs: a number and its neighbour are both sampled with probability about (n/N)² = {fraction * fraction:0.###e+0}, so runs fall apart; the enumeration verdict needs a full ingest");
            cannot.Add($"exact duplicate-row or distinct-identifier counts of the {N(population)} rows: repeats inside a sample scale with the square of the sampling fraction ({P(fraction)}), so within-sample duplicates understate the dump's");
            cannot.Add("exact overlap counts per earlier breach: only the ratios are estimated");
            cannot.Add($"anything rarer than about {P(rare)} of rows, such as a small overlap with one breach or a rare default birth date");
        }

        return new SampleInfo
        {
            SampleSize = sampleSize,
            PopulationRows = population,
            Seed = seed,
            Complete = complete,
            CanEstablish = can,
            CannotEstablish = cannot,
        };
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string P(double v) => (v * 100).ToString(v * 100 >= 10 ? "0.#" : "0.###", CultureInfo.InvariantCulture) + "%";

    /// <summary>The reservoir: a uniform sample of up to <paramref name="size"/> rows, and the number of rows read.</summary>
    internal static (List<SampledRow> Rows, long Population) Draw(string path, ReaderOptions reader, int size, long seed, CancellationToken ct = default)
    {
        var sink = new ReservoirSink(size, seed);
        DumpReader.Read(path, reader, sink, ct);
        return (sink.Reservoir, sink.Seen);
    }

    /// <summary>One sampled row: the fields the report uses, the row's in-memory digest for duplicate detection,
    /// and where it came from. Lives only in memory.</summary>
    internal sealed record SampledRow(string Email, string Phone, string BirthDate, string Gender, UInt128 Digest, string FileName, long LineNumber);

    /// <summary>Algorithm L (Li 1994): after the reservoir fills, jump straight to the next row to keep, so
    /// rows that are not kept cost a counter increment.</summary>
    private sealed class ReservoirSink(int size, long seed) : IDumpRowSink
    {
        private readonly SplitMix64 _rng = new(unchecked((ulong)seed));
        private double _w;
        private long _next;

        public List<SampledRow> Reservoir { get; } = new(Math.Min(size, 1 << 20));

        public long Seen { get; private set; }

        public void OnFileStart(DumpFileInfo file, ColumnMap map)
        {
        }

        public void OnProblem(RowProblem problem)
        {
        }

        public void OnRow(DumpRow row)
        {
            var i = Seen++;
            if (i < size)
            {
                Reservoir.Add(Copy(row));
                if (i == size - 1)
                {
                    _w = Math.Exp(Math.Log(_rng.NextOpenDouble()) / size);
                    _next = i + Skip();
                }

                return;
            }

            if (i != _next)
            {
                return;
            }

            Reservoir[(int)_rng.NextBelow((ulong)size)] = Copy(row);
            _w *= Math.Exp(Math.Log(_rng.NextOpenDouble()) / size);
            _next = i + Skip();
        }

        private long Skip()
        {
            var jump = Math.Floor(Math.Log(_rng.NextOpenDouble()) / double.LogP1(-_w)) + 1;
            return jump >= long.MaxValue / 4 || double.IsNaN(jump) ? long.MaxValue / 4 : (long)jump;
        }

        private static SampledRow Copy(DumpRow row) => new(
            row.Get(FieldRole.Email).ToString(), row.Get(FieldRole.Phone).ToString(), row.Get(FieldRole.BirthDate).ToString(),
            row.Get(FieldRole.Gender).ToString(), EphemeralHasher.Digest(row.Raw), row.FileName, row.LineNumber);
    }

    /// <summary>SplitMix64 (Steele et al.): tiny, fast, and fixed forever, unlike System.Random's seeded sequence.</summary>
    private sealed class SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in (0, 1): never 0, so its logarithm is finite.</summary>
        public double NextOpenDouble() => ((Next() >> 11) + 0.5) * (1.0 / (1UL << 53));

        public ulong NextBelow(ulong bound)
        {
            // Lemire's multiply-shift with rejection: unbiased.
            while (true)
            {
                var product = (UInt128)Next() * bound;
                var low = (ulong)product;
                if (low >= bound || low >= (0 - bound) % bound)
                {
                    return (ulong)(product >> 64);
                }
            }
        }
    }

    /// <summary>The sampled rows' counts: distinct identifiers (for the overlap lookups), duplicates and invalid values,
    /// with every value also fed to the analysis.</summary>
    private sealed class SampleTally(AnalysisAccumulator analysis, PhoneNormalizer phones, DateOrder dateOrder, DateOnly today)
    {
        private readonly HashSet<UInt128> _digests = [];
        private readonly PhoneNormalizer _phones = phones;
        private readonly DateOrder _dateOrder = dateOrder;
        private readonly DateOnly _today = today;

        public AnalysisAccumulator Analysis { get; } = analysis;
        public HashSet<string> Emails { get; } = new(StringComparer.Ordinal);
        public HashSet<ulong> Numbers { get; } = [];
        public long Duplicates { get; private set; }
        public long InvalidEmail { get; private set; }
        public long InvalidPhone { get; private set; }
        public long InvalidBirthdate { get; private set; }

        public void Add(SampledRow row)
        {
            Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
            if (!_digests.Add(row.Digest))
            {
                Duplicates++;
            }

            if (row.Email.Length > 0)
            {
                if (EmailNormalizer.TryNormalize(row.Email, email, out var n))
                {
                    Analysis.AddEmail(email[..n]);
                    Emails.Add(new string(email[..n]));
                }
                else
                {
                    Analysis.AddInvalidEmail();
                    InvalidEmail++;
                }
            }

            if (row.Phone.Length > 0)
            {
                if (_phones.TryNormalize(row.Phone, out var e164))
                {
                    Analysis.AddPhone(e164);
                    Numbers.Add(e164);
                }
                else
                {
                    Analysis.AddInvalidPhone(row.Phone);
                    InvalidPhone++;
                }
            }

            if (row.BirthDate.Length > 0)
            {
                if (BirthDateParser.TryParse(row.BirthDate, _dateOrder, _today, out var date))
                {
                    Analysis.AddBirthDate(date);
                }
                else
                {
                    Analysis.AddInvalidBirthDate();
                    InvalidBirthdate++;
                }
            }

            if (row.Gender.Length > 0)
            {
                Analysis.AddGender(GenderNormalizer.Parse(row.Gender));
            }
        }
    }
}

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
    /// <param name="breachNames">The earlier breaches to compare with, by id: every one is listed in the overlap, zeros
    /// included, and a breach not named here is not counted (as <c>--against</c> leaves it out of a full run). Null
    /// counts every breach the lookup returns, named by id.</param>
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

        var duplicates = SampledDuplicateShare.Estimate(rows.Count, population, tally.DuplicatePairs, tally.SharedRowPairs);
        var info = Describe(rows.Count, population, options.Seed, duplicates);
        return ReportBuilder.Build(new ReportInputs
        {
            Rows = rows.Count,
            DuplicateRows = tally.Duplicates,
            DuplicateRatio = info.Complete ? null : duplicates,
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
            if (CountIn(lookupKey(hasher.HashEmail(e)), breachNames, perBreach, email: true))
            {
                seenEmails++;
            }
        }

        foreach (var p in numbers)
        {
            if (CountIn(lookupKey(hasher.HashPhone(p)), breachNames, perBreach, email: false))
            {
                seenPhones++;
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

    /// <summary>Counts one identifier in each compared breach that holds it; true when at least one does.</summary>
    private static bool CountIn(int[] ids, IReadOnlyDictionary<int, string>? compared, Dictionary<int, (long Emails, long Phones)> perBreach, bool email)
    {
        var any = false;
        foreach (var id in ids)
        {
            if (compared is not null && !compared.ContainsKey(id))
            {
                continue;
            }

            any = true;
            var c = perBreach.GetValueOrDefault(id);
            perBreach[id] = email ? (c.Emails + 1, c.Phones) : (c.Emails, c.Phones + 1);
        }

        return any;
    }

    internal static SampleInfo Describe(int sampleSize, long population, long seed, Ratio duplicates)
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
            can.Add($"validity and mix ratios (countries, email domains and TLDs, gender, birth years) to within ±{P(halfWidth)} at 95% confidence in the worst case (a ratio near 50%); each ratio carries its own Wilson interval, narrower away from 50%");
            can.Add($"recycled versus new, roughly, when the overlap's point estimate lies far from the {P(ReportBuilder.RecycledShare)} or {P(ReportBuilder.NewShare)} threshold (it has no interval: see below)");
            can.Add($"that something is rare: a value never seen in {N(sampleSize)} rows is, with 95% confidence, in fewer than {P(rare)} of the dump's rows (rule of three)");
            can.Add("a claimed-domain mismatch, low field validity and default birth dates, when they involve more than a few percent of rows");
            cannot.Add($"the longest run of consecutive phone numbers or how many numbers sit in runs: a number and its neighbour are both sampled with probability about (n/N)² = {fraction * fraction:0.###e+0}, so runs fall apart; the enumeration verdict needs a full ingest, and shareInRunsOf100 has no interval");
            can.Add($"the duplicate share: a row and its copy are both sampled with probability about f² (f = {P(fraction)}), so within-sample repeats (duplicateRows) understate the dump's; duplicateRatio counts repeated pairs and scales them by that probability, an unbiased estimate of duplicate pairs per row, which is the duplicate share when no row occurs more than twice");
            if (duplicates.Low is null)
            {
                cannot.Add("an interval for the duplicate share: some rows occur three or more times in the sample, so repeated pairs overstate repeated rows; duplicateRatio.value is an upper estimate and its low and high are null");
            }

            cannot.Add($"exact duplicate-row or distinct-identifier counts of the {N(population)} rows");
            cannot.Add("exact overlap counts per earlier breach, and an interval for any overlap or seen-before ratio: an identifier on m rows is about m times as likely to be sampled, so the sampled identifiers over-represent repeated ones; those ratios are point estimates with low and high null, and likely-recycled is never given high confidence from a sample");
            cannot.Add("an interval for the most common birth date's share or the dominant email domain's share: the largest of many sampled counts overstates its own share; low and high are null");
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
        private readonly Dictionary<UInt128, int> _digests = [];
        private readonly PhoneNormalizer _phones = phones;
        private readonly DateOrder _dateOrder = dateOrder;
        private readonly DateOnly _today = today;

        public AnalysisAccumulator Analysis { get; } = analysis;
        public HashSet<string> Emails { get; } = new(StringComparer.Ordinal);
        public HashSet<ulong> Numbers { get; } = [];
        public long Duplicates { get; private set; }

        /// <summary>Pairs of identical sampled rows, Σ C(k,2) over contents sampled k times.</summary>
        public long DuplicatePairs { get; private set; }

        /// <summary>Σ k(k−1)(k−2): ordered pairs of identical-row pairs that share a row; 0 unless a row occurs 3+ times.</summary>
        public long SharedRowPairs { get; private set; }
        public long InvalidEmail { get; private set; }
        public long InvalidPhone { get; private set; }
        public long InvalidBirthdate { get; private set; }

        public void Add(SampledRow row)
        {
            Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
            ref var seen = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_digests, row.Digest, out _);
            if (seen > 0)
            {
                // The k-th copy adds k−1 new pairs, and (k−1)(k−2) new pairs of pairs sharing a row, each counted both ways.
                Duplicates++;
                DuplicatePairs += seen;
                SharedRowPairs += 3L * seen * (seen - 1);
            }

            seen++;

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

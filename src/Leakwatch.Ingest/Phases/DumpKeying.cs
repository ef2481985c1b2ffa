using Leakwatch.Analysis;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Phases;

/// <summary>The read-and-key phase: the dump is read, every identifier normalized and keyed into per-thread
/// sorters, and every row analysed. Owns the workers' state (sorters, accumulators, spill writers) until
/// disposed.</summary>
internal sealed class DumpKeying : IDisposable
{
    private readonly WorkerState[] _states;
    private readonly Stealer.UlpIngest? _ulp;

    private DumpKeying(WorkerState[] states, Stealer.UlpIngest? ulp)
    {
        _states = states;
        _ulp = ulp;
    }

    public IReadOnlyList<WorkerState> States => _states;
    public List<ExternalSorter> EmailSorters { get; } = [];
    public List<ExternalSorter> PhoneSorters { get; } = [];
    public List<ExternalSorter> RowSorters { get; } = [];
    /// <summary>Keys added before deduplication: an upper bound on the index entries they make.</summary>
    public long KeyUpperBound { get; private set; }
    public HashSet<string> SeenClasses { get; private set; } = [];

    /// <param name="spill">The private build's spill, or null when no identifier may leave this process sealed.</param>
    /// <param name="sealedRuns">Spill key runs sealed under per-process keys (<see cref="ExternalSorter.Sealed"/>), as
    /// `verify` does; an ingest's runs in the data dir's tmp/ hold keyed hashes only and are swept by the next ingest.</param>
    /// <param name="ulp">A stealer-log ingest's extra outputs, which every worker feeds; null for any other dump.</param>
    /// <param name="domains">The domain store's build, which every worker feeds; null when it is not built.</param>
    public static DumpKeying Create(KeyFile keys, IngestOptions options, string tempDir, PrivateSpillSession? spill, bool sealedRuns = false,
        Stealer.UlpIngest? ulp = null, Domains.DomainStoreBuild? domains = null)
    {
        ExternalSorter NewSorter(string name, int capacity) =>
            sealedRuns ? ExternalSorter.Sealed(tempDir, name, capacity) : new ExternalSorter(tempDir, name, capacity);

        var workers = Math.Max(1, options.Workers);
        var sorterCapacity = (int)Math.Min(int.MaxValue / 32, (long)options.SortMemoryMegabytes * 1024 * 1024 / 16 / (3 * (workers + 1)));
        // One row hasher for all workers: identical rows must get identical fingerprints whichever worker sees them.
        var rowHasher = new EphemeralHasher();
        // One state per worker thread, plus one for the reader thread, which normalizes a batch itself
        // whenever the workers are behind instead of waiting for them.
        var states = new WorkerState[workers + 1];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = new WorkerState(new IdentifierHasher(keys), new PhoneNormalizer(options.Region), options.DateOrder,
                NewSorter("email", sorterCapacity), NewSorter("phone", sorterCapacity), NewSorter("rowfp", sorterCapacity), rowHasher,
                new AnalysisAccumulator(new AnalysisOptions
                {
                    DefaultRegion = options.Region,
                    TempDirectory = tempDir,
                    PhoneMemoryBytes = Math.Max(8L << 20, (long)options.SortMemoryMegabytes * 1024 * 1024 / 4 / (workers + 1)),
                }))
            { Spill = spill?.NewWriter(), Ulp = ulp?.NewWorker(tempDir, sorterCapacity), Domains = domains?.NewCollector() };
        }

        return new DumpKeying(states, ulp);
    }

    public void Read(string path, IngestOptions options, IngestStats stats, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var sink = new IngestSink(_states, stats, progress, TotalBytes(path), ct) { Ulp = _ulp?.Stats };
        var parallel = options.Parse == ParseMode.Parallel || (options.Parse == ParseMode.Auto && Environment.ProcessorCount >= 3);
        if (parallel)
        {
            sink.RunParallel(path, options.Reader);
        }
        else
        {
            sink.Run(path, options.Reader);
        }

        SeenClasses = sink.SeenClasses;
        CollectWorkers(stats);
        if (_ulp is not null)
        {
            _ulp.CollectWorkers();
            _ulp.Stats.Lines += stats.Rows;
            stats.Ulp = _ulp.Stats;
        }
    }

    private void CollectWorkers(IngestStats stats)
    {
        foreach (var s in _states)
        {
            stats.Invalid.Email += s.InvalidEmail;
            stats.Invalid.Phone += s.InvalidPhone;
            stats.Invalid.Birthdate += s.InvalidBirthdate;
            stats.Identifiers.Total += s.ValidEmails + s.ValidPhones;
            stats.Identifiers.RowsWithSeveral += s.RowsWithSeveralIdentifiers;
            EmailSorters.Add(s.Emails);
            PhoneSorters.Add(s.Phones);
            RowSorters.Add(s.RowFingerprints);
            KeyUpperBound += s.Emails.Added + s.Phones.Added;
            if (s.ValidEmails > 0)
            {
                SeenClasses.Add(DataClass.EmailAddresses);
            }

            if (s.ValidPhones > 0)
            {
                SeenClasses.Add(DataClass.PhoneNumbers);
            }
        }

        stats.Identifiers.PerRow = stats.Rows == 0 ? 0 : Math.Round((double)stats.Identifiers.Total / stats.Rows, 4);
    }

    /// <summary>The workers' analyses folded into the first one, which the report then reads.</summary>
    public AnalysisAccumulator MergeAnalyses()
    {
        var analysis = _states[0].Analysis;
        for (var i = 1; i < _states.Length; i++)
        {
            analysis.Merge(_states[i].Analysis);
        }

        return analysis;
    }

    private static long TotalBytes(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                return new FileInfo(path).Length;
            }

            if (Directory.Exists(path))
            {
                long total = 0;
                foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
                {
                    total += new FileInfo(f).Length;
                }

                return total;
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    public void Dispose()
    {
        foreach (var s in _states)
        {
            s.Spill?.Dispose();
            s.Emails.Dispose();
            s.Phones.Dispose();
            s.RowFingerprints.Dispose();
            s.Analysis.Dispose();
        }
    }
}

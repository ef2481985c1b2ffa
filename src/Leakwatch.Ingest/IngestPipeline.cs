using System.Diagnostics;
using Leakwatch.Analysis;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Ingest.Phases;
using Leakwatch.Privacy;
using Leakwatch.Storage;

namespace Leakwatch.Ingest;

/// <summary>
/// dump → read → normalize → key → sort/spill → merge into the index → publish. The reader runs on its own
/// thread and hands batches to normalization workers; each worker owns its sorters, so the hot path takes
/// no locks. Nothing is published unless every step succeeds. An ingest and a verify are two compositions of
/// the same phases (Phases/): the verify takes no lock, registers nothing, and stops after the report.
/// </summary>
public sealed class IngestPipeline
{
    private readonly ExposureIndexStore _store;
    private readonly KeyFile _keys;
    private readonly StateLocation _state;

    /// <param name="state">Where breach rows go; null is <c>catalog.db</c> in the data dir.</param>
    public IngestPipeline(ExposureIndexStore store, KeyFile keys, StateLocation? state = null)
    {
        _store = store;
        _keys = keys;
        _state = state ?? StateLocation.Embedded;
    }

    /// <summary>Ingests the dump at <paramref name="path"/> as a new breach and publishes it.</summary>
    public IngestStats Run(string path, IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken ct = default)
    {
        ValidateName(options.BreachName);
        using var writeLock = _store.LockForWrite();
        var manifest = IndexPreconditions.ReadManifest(_store, _keys);
        // What a killed or failed run left (a partial generation, spilled runs, the private index's and the password
        // store's leftovers) goes before anything is written, the catalogue included: on a disk that filled up, that
        // is what frees the space this run needs.
        OrphanedFiles.Sweep(_store, manifest);
        try
        {
            return RunLocked(path, options, manifest, progress, ct);
        }
        catch
        {
            // On the error path itself (a full disk, Ctrl-C, bad input): nothing of this run stays on disk.
            LeftoverSweep.AfterFailedWrite(_store);
            throw;
        }
    }

    private IngestStats RunLocked(string path, IngestOptions options, Manifest manifest, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        using var catalog = CatalogueRegistration.Open(_store, _state, manifest, options.BreachName);
        var compared = ComparedBreaches.Resolve(_store.DataDir, _state, manifest, catalog, options.CompareWith);
        ValidateRegion(options);

        var clock = Stopwatch.StartNew();
        var stats = new IngestStats { Breach = options.BreachName };
        using var ulp = options.Reader.Format == Reading.DumpFormat.Ulp ? Stealer.UlpIngest.Open(_store.DataDir) : null;
        // The domain store's delta: buffers within a slice of the sort memory, spilled sealed beyond it.
        using var domains = options.DomainStore
            ? new Domains.DomainStoreBuild(_keys, _store.TempDir, (long)options.SortMemoryMegabytes * 1024 * 1024 / 4, options.Workers + 1)
            : null;
        using var keyed = DumpKeying.Create(_keys, options, _store.TempDir, options.PrivateSpill, ulp: ulp, domains: domains);
        // Domain alerts: counted in the read pass, queued after the publish.
        stats.DomainAlerts = new DomainAlertCounts();
        var domainAlerts = DomainAlerts.Attach(catalog, keyed.States, stats.DomainAlerts);
        // The domain store's next generation (unpublished until the manifest names it) is written on a task from the
        // end of the read, beside the key sort and the index merge, as the stealer-log stores are.
        ReadAndSort(keyed, path, options, stats, clock, progress, ct, afterRead: () => domains?.StartPrepare(_store, manifest, ct));
        var breach = NewBreach.Describe(options, stats.DataClasses);
        breach = breach with { Id = catalog.InsertBreach(breach) };

        var indexPath = _store.NewIndexPath(manifest.Generation + 1);
        var overlap = NewOverlapCounter(options, compared);
        using var existing = _store.OpenPublished(manifest);
        // Matching on publish reads the watchers on the idle core while this merge runs, and sees its keys as it goes.
        // It also writes the hits' outbox rows as it goes, held back from delivery until the catch-up after the publish.
        using var tap = NotificationMatching.Tap(catalog, breach.Id);
        // A stealer log's own stores (websites, domains, passwords) are written on the other core while the index merges.
        // A thread of its own (it blocks on its own parallel work): the pool's threads are left to the key merge's.
        var stealerStores = ulp is null ? null
            : Task.Factory.StartNew(() => ulp.Prepare(_store, manifest, _keys, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        MergedKeys merged;
        try
        {
            merged = KeyMerge.Run(keyed, stats, keys => ExposureIndexMerger.MergeAdd(existing, keys, keyed.KeyUpperBound, breach.Id,
            indexPath, MergeObserverPair.Combine(overlap, tap), n =>
            {
                TestKillPoint.Reached("merging");
                ct.ThrowIfCancellationRequested();
                progress?.Report(new IngestProgress(IngestPhase.Merging, stats.Rows, 0, 0, n));
            }), ct);
        }
        catch
        {
            // The stealer stores' task still reads the workers: it must end before they are disposed.
            WaitQuietly(stealerStores);
            throw;
        }

        var prepared = tap.Finish();
        ReportAssembly.Build(options, stats, compared, overlap, merged);
        stats.IndexBytes = new FileInfo(indexPath).Length;
        var stealerFiles = stealerStores?.GetAwaiter().GetResult();
        var domainStore = domains?.FinishPrepare();
        stats.DomainStore = domains?.Stats;
        Finish(stats, clock);
        stats.Phases.Merge = clock.Elapsed.TotalSeconds - stats.Phases.Read - stats.Phases.Sort;
        TestKillPoint.Reached("merged");

        progress?.Report(new IngestProgress(IngestPhase.Publishing, stats.Rows, 0, 0, merged.Entries));
        Publication.Publish(_store, _keys, catalog, manifest, breach, indexPath, options, stats, stealerFiles, domainStore, ct);
        ulp?.PublishPasswords();
        stats.Phases.Publish = clock.Elapsed.TotalSeconds - stats.Phases.Read - stats.Phases.Sort - stats.Phases.Merge;
        stats.Notifications = NotificationMatching.AfterPublish(_store, catalog, _keys, options.BreachName, prepared, breach.Id, ct);
        domainAlerts?.AfterPublish(catalog, _keys, options.BreachName, breach.Id, stats.DomainAlerts); // domain alerts
        stats.Phases.Match = clock.Elapsed.TotalSeconds - stats.Phases.Read - stats.Phases.Sort - stats.Phases.Merge - stats.Phases.Publish;
        Finish(stats, clock);
        return stats;
    }

    private static void WaitQuietly(Task? task)
    {
        try
        {
            task?.Wait();
        }
        catch (AggregateException)
        {
            // The merge's own exception is the one reported.
        }
    }

    /// <summary>Analyses the dump and compares it with the index, as an ingest would, but writes nothing to the
    /// data dir (`leakwatch verify`): its spills go to a private (0700) directory under the system temp dir, sealed
    /// under keys that die with the process, and the directory is removed however the run ends
    /// (<see cref="VerifyScratchDirectory"/>).</summary>
    public IngestStats Verify(string path, IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken ct = default)
    {
        ValidateName(options.BreachName);
        var manifest = IndexPreconditions.ReadManifest(_store, _keys);
        var compared = ComparedBreaches.Resolve(_store.DataDir, _state, manifest, open: null, options.CompareWith);
        ValidateRegion(options);

        var clock = Stopwatch.StartNew();
        var stats = new IngestStats { Breach = options.BreachName };
        using var tempDir = VerifyScratchDirectory.Create();
        using var keyed = DumpKeying.Create(_keys, options, tempDir.Path, spill: null, sealedRuns: true);
        ReadAndSort(keyed, path, options, stats, clock, progress, ct);

        var overlap = NewOverlapCounter(options, compared);
        using var existing = _store.OpenPublished(manifest);
        var merged = KeyMerge.Run(keyed, stats, keys =>
        {
            ExposureIndexMerger.Observe(existing, keys, overlap);
            return 0;
        }, ct);
        ReportAssembly.Build(options, stats, compared, overlap, merged);
        stats.Phases.Merge = clock.Elapsed.TotalSeconds - stats.Phases.Read - stats.Phases.Sort;
        Finish(stats, clock);
        return stats;
    }

    /// <summary>`verify --sample`: the report from a seeded uniform sample of the dump's rows (<see cref="SampleVerifier"/>),
    /// compared with the same earlier breaches a full verify would be (all, or <see cref="IngestOptions.CompareWith"/>),
    /// under the same key file check.</summary>
    public VerificationReport VerifySample(string path, IngestOptions options, SampleOptions sample, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sample);
        var manifest = IndexPreconditions.ReadManifest(_store, _keys);
        var compared = ComparedBreaches.Resolve(_store.DataDir, _state, manifest, open: null, options.CompareWith);
        ValidateRegion(options);
        using var index = _store.OpenPublished(manifest);
        using var tempDir = VerifyScratchDirectory.Create();
        return SampleVerifier.Run(path, options.Reader, sample with { TempDirectory = tempDir.Path },
            index is null ? null : index.Lookup, new IdentifierHasher(_keys), compared, ct);
    }

    /// <summary>The read-and-key phase, then the sort phase; a dump without data rows stops here.</summary>
    /// <param name="afterRead">Started once the rows are read, before the sort.</param>
    private static void ReadAndSort(DumpKeying keyed, string path, IngestOptions options, IngestStats stats, Stopwatch clock,
        IProgress<IngestProgress>? progress, CancellationToken ct, Action? afterRead = null)
    {
        keyed.Read(path, options, stats, progress, ct);
        afterRead?.Invoke();
        stats.Phases.Read = clock.Elapsed.TotalSeconds;
        progress?.Report(new IngestProgress(IngestPhase.Sorting, stats.Rows, 0, 0, 0));
        KeySorting.SortIdentifiers(keyed);
        stats.Phases.Sort = clock.Elapsed.TotalSeconds - stats.Phases.Read;
        TestKillPoint.Reached("spilled");
        ct.ThrowIfCancellationRequested();
        if (stats.Rows == 0)
        {
            throw new IngestException($"{path}: no data rows found");
        }

        stats.DataClasses = [.. keyed.SeenClasses.Order(StringComparer.Ordinal)];
    }

    private static OverlapCounter NewOverlapCounter(IngestOptions options, Dictionary<int, string> compared) =>
        new(options.CompareWith is null ? null : compared.Keys.ToHashSet());

    /// <summary>Validates --region before any reading starts.</summary>
    private static void ValidateRegion(IngestOptions options) => _ = new PhoneNormalizer(options.Region);

    private static void Finish(IngestStats stats, Stopwatch clock)
    {
        stats.Seconds = clock.Elapsed.TotalSeconds;
        stats.RowsPerSecond = stats.Rows / Math.Max(1e-9, stats.Seconds);
    }

    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            throw new IngestException("--breach: a name of 1-64 characters is required");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw new IngestException($"--breach: '{name}' may only contain ASCII letters, digits, '-', '_' and '.'");
            }
        }
    }
}

using System.Diagnostics;
using Leakwatch.Index;
using Leakwatch.Index.Stealer;
using Leakwatch.Privacy;
using Leakwatch.Storage.Threading;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// The domain store's part of an ingest (docs/organisations.md, "Domain store"): every worker records (domain,
/// alias) for each valid email it keys (<see cref="DomainAliasCollector"/>); after the read, beside the index merge
/// (on the core it leaves idle, as the stealer-log stores are), <see cref="Prepare"/> writes the next generation (<see cref="DomainStoreMerge"/>) under
/// <c>domains/domains-gen-N-&lt;random&gt;.lwd</c>, and the manifest swap that publishes the breach names it.
/// </summary>
internal sealed class DomainStoreBuild : IDisposable
{
    private readonly DomainStoreSealer _sealer;
    private readonly string _tempDir;
    private readonly int _budgetBytes;
    private readonly List<DomainAliasCollector> _collectors = [];
    private Task<string>? _preparing;

    /// <param name="memoryBytes">All workers' buffers together; each spills a sealed run past its share.</param>
    public DomainStoreBuild(KeyFile keys, string tempDir, long memoryBytes, int workers)
    {
        _sealer = new DomainStoreSealer(keys);
        _tempDir = tempDir;
        _budgetBytes = (int)Math.Clamp(memoryBytes / Math.Max(1, workers), 1 << 20, 256L << 20);
    }

    public DomainStoreStats Stats { get; } = new();

    /// <summary>Alias bytes per page (tests make it tiny to get many pages from few aliases).</summary>
    internal int MaxPageBytes { get; init; } = DomainStoreSealer.MaxPageBytes;

    /// <summary>A worker's buffer before it spills (tests make it tiny to get many runs).</summary>
    internal int? CollectorBudgetBytes { get; init; }

    public DomainAliasCollector NewCollector()
    {
        var c = new DomainAliasCollector(_sealer, _tempDir, CollectorBudgetBytes ?? _budgetBytes);
        _collectors.Add(c);
        return c;
    }

    /// <summary>Starts <see cref="Prepare"/> on a task, beside the index merge; <see cref="FinishPrepare"/> waits for it,
    /// and <see cref="Dispose"/> does too (a failed ingest must not dispose the runs under it).</summary>
    /// <remarks>On a thread of its own at a lowered priority (<see cref="ThreadNice"/>): it only fills the core the key
    /// sort and the index merge leave idle. At equal priority the two took turns on both cores and the index merge,
    /// which the publish waits for, ended later.</remarks>
    public void StartPrepare(ExposureIndexStore store, Manifest published, CancellationToken ct) =>
        _preparing = Task.Factory.StartNew(() =>
        {
            ThreadNice.LowerCurrentThread();
            return Prepare(store, published, ct);
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <returns>The new file, relative to the data dir.</returns>
    /// <remarks>Called once the index merge has ended; how long it blocks is <see cref="DomainStoreStats.WaitSeconds"/>.</remarks>
    public string FinishPrepare()
    {
        var preparing = _preparing ?? throw new InvalidOperationException("the domain store was not started");
        var waited = Stopwatch.StartNew();
        var path = preparing.GetAwaiter().GetResult();
        Stats.WaitSeconds = Math.Round(waited.Elapsed.TotalSeconds, 3);
        return path;
    }

    /// <summary>Writes the next generation, not yet visible.</summary>
    /// <returns>The new file, relative to the data dir.</returns>
    public string Prepare(ExposureIndexStore store, Manifest published, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        // The last buffers are sorted one after another on this thread, at its priority (see StartPrepare): pool
        // threads would run at normal priority and take turns with the index merge.
        foreach (var c in _collectors)
        {
            c.Finish();
            Stats.Pairs += c.Added;
        }

        Stats.SortSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);

        Directory.CreateDirectory(store.DomainDir);
        var path = Path.Combine(store.DomainDir, $"domains-gen-{published.Generation + 1:D8}-{Guid.NewGuid():N}.lwd");
        using var old = published.DomainStore is { } rel ? StealerSiteFile.Open(Path.Combine(store.DataDir, rel)) : null;
        using var delta = new DomainDelta(_collectors);
        using (var writer = new StealerSiteWriter(path))
        {
            var merge = new DomainStoreMerge(_sealer, writer, MaxPageBytes);
            merge.Run(old, delta, ct);
            writer.Finish();
            Stats.Entries = writer.Entries;
            Stats.TouchedDomains = merge.TouchedDomains;
        }

        ExposureIndexStore.FsyncDirectory(store.DomainDir);
        Stats.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        return Path.GetRelativePath(store.DataDir, path);
    }

    public void Dispose()
    {
        try
        {
            _preparing?.Wait();
        }
        catch (AggregateException)
        {
            // The ingest's own error (or this task's, already rethrown by FinishPrepare) is the one reported.
        }

        foreach (var c in _collectors)
        {
            c.Dispose();
        }
    }
}

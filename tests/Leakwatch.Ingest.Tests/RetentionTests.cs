using Leakwatch.Index;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage.Retention;
using Leakwatch.Synthetic;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// A replaced generation of the exposure index and of the private index outlives the publish by the retention period,
/// so a replica on another machine still reading it over NFS (where an unlinked file goes stale at once) keeps
/// answering; only then does a later write delete it. Orphans of a killed run still go at the next sweep. Real
/// ingests into a real data dir; a manual clock moves time.
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-retention-").FullName;
    private readonly ManualClock _clock = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DataDir => Path.Combine(_dir, "data");

    private GenerationRetention TenMinutes => new(TimeSpan.FromMinutes(10), _clock);

    private string Dump(string name, int rows, int seed)
    {
        var path = Path.Combine(_dir, name + ".csv");
        DumpGenerator.Generate(new GeneratorOptions(rows, seed, DumpShape.Csv), path);
        return path;
    }

    /// <summary>An ingest; without the domain store unless asked, so the index's own generations are what the tests
    /// below count (the domain store's retention has its own test).</summary>
    private static void Ingest(ExposureIndexStore store, KeyFile keys, string dump, string breach, bool domainStore = false) =>
        new IngestPipeline(store, keys).Run(dump, new IngestOptions { BreachName = breach, Workers = 2, DomainStore = domainStore });

    private bool Exists(string relative) => File.Exists(Path.Combine(DataDir, relative));

    [Fact]
    public void ExposureIndex_Publish_KeepsReplacedGenerationServingUntilThePeriodEnds()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var retention = TenMinutes;
        var store = new ExposureIndexStore(DataDir, retention);
        Ingest(store, keys, Dump("a", 300, 1), "A");
        var first = store.ReadManifest();
        using var old = store.OpenPublished(first)!;

        _clock.Advance(TimeSpan.FromMinutes(1));
        Ingest(store, keys, Dump("b", 300, 2), "B");
        var second = store.ReadManifest();
        Assert.True(Exists(first.Index!));
        Assert.Equal([first.Index], second.Retired.Select(r => r.File));
        // A reader still on the old generation answers from it, every page checked.
        Assert.Empty(old.Verify());
        Assert.Equal(first.Entries, old.EntryCount);
        Assert.Empty(OrphanedFiles.Find(DataDir, retention));
        Assert.Equal([Path.Combine(DataDir, first.Index!)], RetainedGenerations.Find(DataDir, retention).Select(r => r.Path));

        // Removing a breach publishes too: the second generation is retired beside the first.
        _clock.Advance(TimeSpan.FromMinutes(8));
        Assert.True(DataDirMaintenance.Remove(DataDir, keys, "B", out _, retention: retention));
        var third = store.ReadManifest();
        Assert.True(Exists(first.Index!) && Exists(second.Index!));
        Assert.Equal(2, RetainedGenerations.Find(DataDir, retention).Count);

        // Past the first's period, the next publish deletes it and keeps the second (retired 2 minutes ago).
        _clock.Advance(TimeSpan.FromMinutes(2));
        Ingest(store, keys, Dump("c", 300, 3), "C");
        Assert.False(Exists(first.Index!));
        Assert.True(Exists(second.Index!) && Exists(third.Index!));
        Assert.Equal([second.Index, third.Index], store.ReadManifest().Retired.Select(r => r.File));
        Assert.Empty(DataDirMaintenance.Fsck(DataDir, keys));
    }

    [Fact]
    public void DomainStore_ReplacedGeneration_IsRetainedWithItsIndex_ThenDeletedAfterThePeriod()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var retention = TenMinutes;
        var store = new ExposureIndexStore(DataDir, retention);
        Ingest(store, keys, Dump("a", 300, 1), "A", domainStore: true);
        var first = store.ReadManifest();
        Assert.NotNull(first.DomainStore);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Ingest(store, keys, Dump("b", 300, 2), "B", domainStore: true);
        var second = store.ReadManifest();
        Assert.NotEqual(first.DomainStore, second.DomainStore);
        Assert.Equal([first.Index, first.DomainStore], second.Retired.Select(r => r.File));
        Assert.True(Exists(first.Index!) && Exists(first.DomainStore!));
        Assert.Empty(OrphanedFiles.Find(DataDir, retention));

        _clock.Advance(TimeSpan.FromMinutes(10));
        Ingest(store, keys, Dump("c", 300, 3), "C", domainStore: true);
        Assert.False(Exists(first.Index!) || Exists(first.DomainStore!));
        Assert.True(Exists(second.DomainStore!) && Exists(store.ReadManifest().DomainStore!));
        Assert.Empty(DataDirMaintenance.Fsck(DataDir, keys));
    }

    [Fact]
    public void ExposureIndex_Sweep_DeletesOrphansAndExpiredGenerationsButNotRetainedOnes()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var retention = TenMinutes;
        var store = new ExposureIndexStore(DataDir, retention);
        Ingest(store, keys, Dump("a", 200, 4), "A");
        var first = store.ReadManifest();
        Ingest(store, keys, Dump("b", 200, 5), "B");
        // What a kill -9 mid-merge leaves: a half-written generation the manifest never named, and a spilled run.
        var partial = Path.Combine(store.IndexDir, "gen-00000003-0123456789abcdef0123456789abcdef.lwx");
        File.WriteAllBytes(partial, new byte[4096]);
        Directory.CreateDirectory(store.TempDir);
        var run = Path.Combine(store.TempDir, "run-0.bin");
        File.WriteAllBytes(run, new byte[16]);
        Assert.Equal([partial, run], OrphanedFiles.Find(DataDir, retention).Order(StringComparer.Ordinal));

        OrphanedFiles.Sweep(store, store.ReadManifest());
        Assert.False(File.Exists(partial) || File.Exists(run));
        Assert.True(Exists(first.Index!));

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([Path.Combine(DataDir, first.Index!)], OrphanedFiles.Find(DataDir, retention));
        OrphanedFiles.Sweep(store, store.ReadManifest());
        Assert.False(Exists(first.Index!));
        Assert.True(Exists(store.ReadManifest().Index!));
    }

    [Fact]
    public void ExposureIndex_RetentionZero_DeletesTheReplacedGenerationAtOnce()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var store = new ExposureIndexStore(DataDir, new GenerationRetention(TimeSpan.Zero, _clock));
        Ingest(store, keys, Dump("a", 200, 6), "A");
        var first = store.ReadManifest();
        Ingest(store, keys, Dump("b", 200, 7), "B");
        Assert.False(Exists(first.Index!));
        Assert.Empty(store.ReadManifest().Retired);
        Assert.Single(Directory.GetFiles(store.IndexDir));
    }

    [Fact]
    public void PrivateIndex_Publish_KeepsReplacedGenerationServingUntilThePeriodEnds()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var retention = TenMinutes;
        var options = new PrivateBuildOptions { ChunkIdentifiers = 2_000, Retention = retention };
        var privateStore = new PrivateIndexStore(DataDir, retention);
        IngestPrivately(keys, Dump("a", 300, 8), "A", options);
        var first = privateStore.ReadManifest()!;
        using var old = privateStore.OpenPublished(first, keys.FindOprfKey(first.KeyId));

        _clock.Advance(TimeSpan.FromMinutes(5));
        IngestPrivately(keys, Dump("b", 300, 9), "B", options);
        var second = privateStore.ReadManifest()!;
        Assert.NotEqual(first.Index, second.Index);
        Assert.True(Exists(first.Index));
        Assert.Equal([first.Index], second.Retired!.Select(r => r.File));
        Assert.Empty(old.Verify());
        Assert.Empty(OrphanedFiles.Find(DataDir, retention));
        Assert.Contains(Path.Combine(DataDir, first.Index), RetainedGenerations.Find(DataDir, retention).Select(r => r.Path));

        _clock.Advance(TimeSpan.FromMinutes(10)); // the first was retired by the second publish, 10 minutes ago
        IngestPrivately(keys, Dump("c", 300, 10), "C", options);
        Assert.False(Exists(first.Index));
        Assert.True(Exists(second.Index));
        Assert.Empty(DataDirMaintenance.Fsck(DataDir, keys));
    }

    [Fact]
    public void PrivateIndex_RetentionZero_DeletesTheReplacedGenerationAtOnce()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var retention = new GenerationRetention(TimeSpan.Zero, _clock);
        var options = new PrivateBuildOptions { ChunkIdentifiers = 2_000, Retention = retention };
        IngestPrivately(keys, Dump("a", 200, 11), "A", options);
        var first = new PrivateIndexStore(DataDir, retention).ReadManifest()!;
        IngestPrivately(keys, Dump("b", 200, 12), "B", options);
        Assert.False(Exists(first.Index));
        Assert.Null(new PrivateIndexStore(DataDir, retention).ReadManifest()!.Retired);
    }

    private void IngestPrivately(KeyFile keys, string dump, string breach, PrivateBuildOptions options)
    {
        var builder = new PrivateIndexBuilder(DataDir, keys, options);
        var spill = builder.BeginIngest(breach, PrivateSources.From(dump, new Reading.ReaderOptions(), null));
        new IngestPipeline(new ExposureIndexStore(DataDir, options.Retention), keys)
            .Run(dump, new IngestOptions { BreachName = breach, PrivateSpill = spill, Workers = 2 });
        builder.Resume();
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

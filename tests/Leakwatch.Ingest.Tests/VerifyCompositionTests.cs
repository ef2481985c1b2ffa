using Leakwatch.Catalog.State;
using Leakwatch.Analysis;
using Leakwatch.Catalog;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Synthetic;

namespace Leakwatch.Ingest.Tests;

/// <summary>A verify runs the ingest's phases up to the report and no further: it must report exactly what the
/// ingest of the same dump then reports, while leaving the data dir and the system temp dir as it found them.</summary>
public sealed class VerifyCompositionTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("lw-verify-phases-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Verify_OnEmptyDataDir_ReportsWhatIngestReports_AndCreatesNothing()
    {
        var dump = Generate("a.csv", 30_000, 11);
        var keys = KeyFile.Create(Path.Combine(_temp, "key"));
        var store = new ExposureIndexStore(Path.Combine(_temp, "data"));

        var verified = Pipeline(store, keys).Verify(dump, Options("A"));
        Assert.False(Directory.Exists(store.DataDir));
        Assert.Empty(ScratchDirs());
        Assert.Equal(0, verified.IndexEntries);
        Assert.Equal(0, verified.IndexBytes);

        var ingested = Pipeline(store, keys).Run(dump, Options("A"));
        AssertSameAnalysis(ingested, verified);
        Assert.True(ingested.IndexEntries > 0);
    }

    [Fact]
    public void Verify_AgainstPublishedBreach_MeasuresTheOverlapTheIngestMeasures_AndPublishesNothing()
    {
        var keys = KeyFile.Create(Path.Combine(_temp, "key"));
        var store = new ExposureIndexStore(Path.Combine(_temp, "data"));
        Pipeline(store, keys).Run(Generate("a.csv", 4_000, 11), Options("A"));
        var before = store.ReadManifest();
        var second = Generate("b.csv", 3_000, 11); // the same seed: B repeats identifiers of A

        var verified = Pipeline(store, keys).Verify(second, Options("B"));
        var after = store.ReadManifest();
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.Breaches, after.Breaches);
        using (var catalog = SqliteStateStore.OpenReadOnly(store.DataDir)!)
        {
            Assert.Equal(["A"], catalog.AllBreaches().Select(b => b.Name));
        }

        Assert.Empty(ScratchDirs());
        var ingested = Pipeline(store, keys).Run(second, Options("B"));
        AssertSameAnalysis(ingested, verified);
        var overlap = Assert.Single(verified.Overlap);
        Assert.True(overlap.Emails > 0);
        Assert.Equal((overlap.Breach, overlap.Emails, overlap.Phones), (ingested.Overlap[0].Breach, ingested.Overlap[0].Emails, ingested.Overlap[0].Phones));
    }

    private static void AssertSameAnalysis(IngestStats ingested, IngestStats verified)
    {
        Assert.Equal(ingested.Rows, verified.Rows);
        Assert.Equal(ingested.DuplicateRows, verified.DuplicateRows);
        Assert.Equal(ingested.Accounts, verified.Accounts);
        Assert.Equal((ingested.Distinct.Email, ingested.Distinct.Phone), (verified.Distinct.Email, verified.Distinct.Phone));
        Assert.Equal((ingested.Invalid.Email, ingested.Invalid.Phone, ingested.Invalid.Birthdate),
            (verified.Invalid.Email, verified.Invalid.Phone, verified.Invalid.Birthdate));
        Assert.Equal(ingested.DataClasses, verified.DataClasses);
        Assert.Equal(ReportJson.Serialize(ingested.Report!), ReportJson.Serialize(verified.Report!));
    }

    private static IngestPipeline Pipeline(ExposureIndexStore store, KeyFile keys) => new(store, keys);

    // Small sort buffers: runs spill to the scratch dir, which the verify must then remove.
    private static IngestOptions Options(string breach) =>
        new() { BreachName = breach, BreachDate = new DateOnly(2021, 1, 1), Workers = 2, SortMemoryMegabytes = 1 };

    private string Generate(string name, int rows, int seed)
    {
        var path = Path.Combine(_temp, name);
        DumpGenerator.Generate(new GeneratorOptions(rows, seed, DumpShape.Csv), path);
        return path;
    }

    private static string[] ScratchDirs() =>
        Directory.GetDirectories(Path.GetTempPath(), $"leakwatch-verify-{Environment.ProcessId}-*");
}

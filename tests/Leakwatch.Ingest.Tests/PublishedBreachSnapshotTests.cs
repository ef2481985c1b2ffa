using Leakwatch.Catalog.State;
using Leakwatch.Catalog;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// The published-breach snapshot lets a one-shot `check` skip SQLite; it must never answer with anything the
/// catalogue would not.
/// </summary>
public sealed class PublishedBreachSnapshotTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("leakwatch-snapshot-").FullName;
    private readonly string _data;
    private readonly KeyFile _keys;

    public PublishedBreachSnapshotTests()
    {
        _data = Path.Combine(_temp, "data");
        _keys = KeyFile.Create(Path.Combine(_temp, "data.key"));
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private void Ingest(string breach, params string[] emails)
    {
        var path = Path.Combine(_temp, breach + ".csv");
        File.WriteAllLines(path, ["email", .. emails]);
        new IngestPipeline(new ExposureIndexStore(_data), _keys).Run(path, new IngestOptions { BreachName = breach, BreachDate = new DateOnly(2024, 1, 1) });
    }

    private List<string> Names(string email)
    {
        using var lookup = ExposureLookup.Open(_data, _keys);
        Assert.Equal(AccountKind.Email, lookup.TryKey(email, new Lazy<PhoneNormalizer>(() => new PhoneNormalizer(null)), out var key));
        return lookup.Find(key).ConvertAll(b => b.Title);
    }

    [Fact]
    public void Ingest_WritesSnapshotForItsGeneration_AndLookupsNeedNoCatalogue()
    {
        Ingest("Alpha", "a@example.com", "both@example.com");
        Ingest("Beta", "both@example.com");
        var generation = new ExposureIndexStore(_data).ReadManifest().Generation;

        var snapshot = PublishedBreachSnapshot.TryRead(_data, generation);
        Assert.NotNull(snapshot);
        Assert.Equal(["Alpha", "Beta"], snapshot.ConvertAll(b => b.Name));

        // With the catalogue gone, the snapshot alone still answers with the exact breach list.
        File.Move(Path.Combine(_data, SqliteStateStore.FileName), Path.Combine(_temp, "moved.db"));
        Assert.Equal(["Alpha", "Beta"], Names("both@example.com"));
        Assert.Equal(["Alpha"], Names("a@example.com"));
    }

    [Fact]
    public void CatalogueWrite_RemovesSnapshotFirst_SoReadersFallBackToTheCatalogue()
    {
        Ingest("Alpha", "a@example.com");
        var manifest = new ExposureIndexStore(_data).ReadManifest();
        using (var catalog = SqliteStateStore.Open(_data))
        {
            var b = catalog.PublishedBreaches(manifest.Breaches)[0];
            catalog.UpdateBreach(b with { Title = "Renamed" });

            // A kill here (after the commit, before the rewrite) leaves no snapshot: the catalogue answers.
            Assert.False(File.Exists(Path.Combine(_data, PublishedBreachSnapshot.FileName)));
            Assert.Equal(["Renamed"], Names("a@example.com"));

            catalog.WriteSnapshot(manifest.Generation, manifest.Breaches);
        }

        Assert.Equal("Renamed", PublishedBreachSnapshot.TryRead(_data, manifest.Generation)![0].Title);
        Assert.Equal(["Renamed"], Names("a@example.com"));
    }

    [Fact]
    public void SnapshotOfAnotherGeneration_IsIgnored()
    {
        Ingest("Alpha", "a@example.com");
        var manifest = new ExposureIndexStore(_data).ReadManifest();
        var stale = new List<Breach> { new() { Id = manifest.Breaches[0], Name = "Alpha", Title = "Stale" } };
        PublishedBreachSnapshot.Write(_data, manifest.Generation - 1, stale);

        Assert.Null(PublishedBreachSnapshot.TryRead(_data, manifest.Generation));
        Assert.Equal(["Alpha"], Names("a@example.com"));
    }

    [Fact]
    public void DamagedSnapshot_IsIgnored()
    {
        Ingest("Alpha", "a@example.com");
        File.WriteAllText(Path.Combine(_data, PublishedBreachSnapshot.FileName), "{\"format\":1,\"generation\":");
        Assert.Equal(["Alpha"], Names("a@example.com"));
    }

    [Fact]
    public void Remove_RewritesSnapshot_AndBreachIdsAreNeverReused()
    {
        Ingest("Alpha", "a@example.com");
        Ingest("Beta", "b@example.com");
        var betaId = new ExposureIndexStore(_data).ReadManifest().Breaches[^1];

        Assert.True(DataDirMaintenance.Remove(_data, _keys, "Beta"));
        var afterRemove = new ExposureIndexStore(_data).ReadManifest();
        Assert.Equal(["Alpha"], PublishedBreachSnapshot.TryRead(_data, afterRemove.Generation)!.ConvertAll(b => b.Name));

        Ingest("Gamma", "b@example.com");
        var gammaId = new ExposureIndexStore(_data).ReadManifest().Breaches[^1];
        Assert.True(gammaId > betaId, $"breach id {gammaId} reused (Beta was {betaId})");
        Assert.Equal(["Gamma"], Names("b@example.com"));
    }

    [Fact]
    public void Fsck_ReportsASnapshotThatDisagreesWithTheCatalogue()
    {
        Ingest("Alpha", "a@example.com");
        Assert.Empty(DataDirMaintenance.Fsck(_data, _keys));

        var manifest = new ExposureIndexStore(_data).ReadManifest();
        var forged = PublishedBreachSnapshot.TryRead(_data, manifest.Generation)!.ConvertAll(b => b with { Title = "Forged" });
        PublishedBreachSnapshot.Write(_data, manifest.Generation, forged);

        var problem = Assert.Single(DataDirMaintenance.Fsck(_data, _keys));
        Assert.StartsWith("breaches.json: differs from catalog.db", problem);
    }
}

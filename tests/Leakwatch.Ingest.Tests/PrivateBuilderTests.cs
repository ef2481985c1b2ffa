using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Synthetic;

namespace Leakwatch.Ingest.Tests;

/// <summary>The private builder as a library: ingest with a spill, then the OPRF phase and the merge, checked against
/// the exposure index identifier by identifier.</summary>
public sealed class PrivateBuilderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-private-builder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DataDir => Path.Combine(_dir, "data");

    private PrivateBuildResult IngestPrivately(KeyFile keys, string dump, string breach, PrivateBuildOptions options)
    {
        var builder = new PrivateIndexBuilder(DataDir, keys, options);
        var spill = builder.BeginIngest(breach, PrivateSources.From(dump, new Reading.ReaderOptions(), null));
        new IngestPipeline(new ExposureIndexStore(DataDir), keys).Run(dump, new IngestOptions { BreachName = breach, PrivateSpill = spill, Workers = 2 });
        return builder.Resume();
    }

    /// <summary>A memory budget far below the identifiers' size makes the merge partition them on disk by bucket
    /// range; every identifier of both dumps must still answer exactly as the exposure index does.</summary>
    [Fact]
    public void Merge_PartitionedOnDisk_EveryIdentifierAnswersAsTheExposureIndex()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var first = Path.Combine(_dir, "first.csv");
        var second = Path.Combine(_dir, "second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(8_000, 101, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(7_000, 102, DumpShape.Csv) { RecycleFrom = first, RecycleRate = 0.3 }, second, collectIdentifiers: true);
        var options = new PrivateBuildOptions { MemoryMegabytes = 0, ChunkIdentifiers = 2_000 };
        var r1 = IngestPrivately(keys, first, "First", options);
        Assert.True(r1.Partitions > 1, $"partitions: {r1.Partitions}");
        var r2 = IngestPrivately(keys, second, "Second", options);
        Assert.True(r2.Partitions > 1, $"partitions: {r2.Partitions}");
        Assert.True(r2.ReplacedEntries > 500);
        Assert.Equal(r1.BucketBits, r2.BucketBits);

        using var plain = ExposureLookup.Open(DataDir, keys);
        using var privately = PrivateIndexLookup.Open(DataDir, keys)!;
        var phones = new PhoneNormalizer(null);
        var checkedShared = 0;
        var accounts = t1.Emails!.Concat(t2.Emails!).Distinct().Where((_, i) => i % 5 == 0)
            .Concat(t1.Phones!.Concat(t2.Phones!).Distinct().Where((_, i) => i % 5 == 0).Select(p => "+" + p));
        foreach (var account in accounts)
        {
            Assert.NotEqual(AccountKind.Invalid, plain.TryKey(account, phones, out var key));
            var expected = plain.Find(key).ConvertAll(b => b.Id);
            expected.Sort();
            Assert.Equal(expected, privately.Find(PrivateLookupClient.TryCanonicalize(account, phones)!));
            checkedShared += expected.Count == 2 ? 1 : 0;
        }

        Assert.True(checkedShared > 50);
        Assert.False(Directory.Exists(Path.Combine(DataDir, "private", "build")));
    }

    [Fact]
    public void BeginIngest_WhileAnotherBuildIsUnfinished_RefusesNamingIt()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var builder = new PrivateIndexBuilder(DataDir, keys);
        builder.BeginIngest("One", new PrivateSource { Path = "/nowhere" });
        var e = Assert.Throws<PrivateBuildException>(() => builder.BeginIngest("Two", new PrivateSource { Path = "/nowhere" }));
        Assert.Contains("'One'", e.Message, StringComparison.Ordinal);
        Assert.Contains("private resume", e.Message, StringComparison.Ordinal);

        // The same ingest again, killed before it published: its incomplete spill is discarded and it starts over.
        Assert.NotNull(builder.BeginIngest("One", new PrivateSource { Path = "/nowhere" }));
    }
}

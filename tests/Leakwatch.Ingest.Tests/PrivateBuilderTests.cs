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
        Assert.All(r1.Sections, s => Assert.Contains(s, r2.Sections)); // a merge keeps every section's bits

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

    /// <summary>
    /// Two generations, as two backups of the data dir would hold them, with one breach added in between. Without the
    /// key file they must not show which buckets the new breach touched: every bucket present in both differs in every
    /// 16-byte block (a fresh nonce per generation), though most of them carry the same entries once decrypted; and
    /// neither header nor manifest holds the count of real entries.
    /// </summary>
    [Fact]
    public void TwoGenerations_BreachAdded_NoBucketLevelDiffAndNoRealEntryCount()
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "data.key"));
        var first = Path.Combine(_dir, "first.csv");
        var second = Path.Combine(_dir, "second.csv");
        DumpGenerator.Generate(new GeneratorOptions(2_500, 111, DumpShape.Csv), first);
        DumpGenerator.Generate(new GeneratorOptions(40, 112, DumpShape.Csv), second);
        var options = new PrivateBuildOptions { ChunkIdentifiers = 2_000 };
        var r1 = IngestPrivately(keys, first, "First", options);
        var store = new PrivateIndexStore(DataDir);
        var m1 = store.ReadManifest()!;
        var backup1 = Path.Combine(_dir, "backup1.lwp");
        File.Copy(Path.Combine(DataDir, m1.Index), backup1);
        var manifest1 = File.ReadAllText(store.ManifestPath);
        var r2 = IngestPrivately(keys, second, "Second", options);
        var m2 = store.ReadManifest()!;
        var manifest2 = File.ReadAllText(store.ManifestPath);

        var key = keys.FindOprfKey(m2.KeyId)!;
        using var g1 = PrivateIndexReader.Open(backup1, key);
        using var g2 = store.OpenPublished(m2, key);
        var plain1 = new byte[g1.BucketBytes];
        var plain2 = new byte[g2.BucketBytes];
        int common = 0, unchanged = 0;
        foreach (var s1 in g1.Layout.Sections)
        {
            Assert.True(g2.Layout.TryGetSection(s1.Code, out var s2));
            for (var i = 0L; i < s1.Buckets; i++)
            {
                var stored1 = g1.StoredBucket(s1.First + i);
                var stored2 = g2.StoredBucket(s2.First + i);
                for (var o = 0; o < Math.Min(stored1.Length, stored2.Length); o += 16)
                {
                    Assert.False(stored1.Slice(o, 16).SequenceEqual(stored2.Slice(o, 16)), $"bucket {s1.Code}/{i}: block {o} unchanged at rest");
                }

                g1.ReadBucket(s1.First + i, plain1);
                g2.ReadBucket(s2.First + i, plain2);
                common++;
                var after = Enumerable.Range(0, g2.BucketEntries).Select(j => Convert.ToHexString(plain2, j * 48, 48)).ToHashSet();
                unchanged += Enumerable.Range(0, g1.BucketEntries).All(j => after.Contains(Convert.ToHexString(plain1, j * 48, 48))) ? 1 : 0;
            }
        }

        // Most buckets still hold every entry they held (the merge carries entries over byte for byte), yet no stored block matched.
        Assert.True(unchanged > common / 2, $"{unchanged} of {common} buckets kept all their entries once decrypted");
        foreach (var (real, manifest, file) in new[] { (r1.RealEntries, manifest1, backup1), (r2.RealEntries, manifest2, Path.Combine(DataDir, m2.Index)) })
        {
            Assert.True(real > 1_000);
            Assert.DoesNotContain("realEntries", manifest, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(JsonNumbers(System.Text.Json.JsonDocument.Parse(manifest).RootElement), n => n == real);
            var header = File.ReadAllBytes(file).AsSpan(0, (int)PrivateIndexFormat.EntriesOffset(m2.Sections.Count));
            for (var o = 0; o + 4 <= header.Length; o++)
            {
                Assert.NotEqual((uint)real, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header[o..]));
                Assert.NotEqual((uint)real, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[o..]));
            }
        }
    }

    private static IEnumerable<long> JsonNumbers(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Number => e.TryGetInt64(out var n) ? [n] : [],
        System.Text.Json.JsonValueKind.Object => e.EnumerateObject().SelectMany(p => JsonNumbers(p.Value)),
        System.Text.Json.JsonValueKind.Array => e.EnumerateArray().SelectMany(JsonNumbers),
        _ => [],
    };

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

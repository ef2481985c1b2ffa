namespace Leakwatch.Index.Tests;

/// <summary>The index's configuration of the storage sorter: run names in the temp dir, and the radix-sorted key order.</summary>
public class KeySorterConfigurationTests
{
    [Fact]
    public void Spill_NamesRunsByNameAndProcess_AndMergesUniqueKeysInOrder()
    {
        using var dir = new TempDir();
        var rng = new Random(5);
        var keys = new List<UInt128>();
        using (var s = new ExternalSorter(dir.Path, "email", 8192))
        {
            for (var i = 0; i < 30_000; i++)
            {
                var k = new UInt128((ulong)rng.NextInt64(), (ulong)rng.Next(3));
                keys.Add(k);
                s.Add(k);
                s.Add(k);
            }

            var runs = Directory.GetFiles(dir.Path);
            Assert.Equal(s.SpilledRuns, runs.Length);
            Assert.All(runs, r => Assert.Matches($@"^email-{Environment.ProcessId}-\d{{6}}\.run$", Path.GetFileName(r)));

            ExternalSorter.SortBuffers([s]);
            using var cursor = ExternalSorter.Merge([s]);
            var got = new List<UInt128>();
            while (cursor.TryNext(out var k))
            {
                got.Add(k);
            }

            Assert.Equal(keys.Distinct().Order(), got);
        }

        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

namespace Leakwatch.Index.Tests;

public class ExternalSorterTests
{
    [Fact]
    public void Merge_WithSpillsAcrossSorters_YieldsSortedUniqueUnion()
    {
        using var dir = new TempDir();
        var rng = new Random(11);
        var all = new List<UInt128>();
        using var a = new ExternalSorter(dir.Path, "a", 1024);
        using var b = new ExternalSorter(dir.Path, "b", 1024);
        for (var i = 0; i < 20_000; i++)
        {
            var v = new UInt128((ulong)rng.Next(5000), 0);
            all.Add(v);
            (i % 2 == 0 ? a : b).Add(v);
        }

        Assert.True(a.Runs.Count > 1, "the test must exercise spilled runs");
        using var cursor = ExternalSorter.Merge([a, b]);
        var got = new List<UInt128>();
        while (cursor.TryNext(out var v))
        {
            got.Add(v);
        }

        Assert.Equal(all.Distinct().OrderBy(v => v), got);
        Assert.Equal(20_000, a.Added + b.Added);
    }

    [Fact]
    public void Dispose_RemovesRunFiles()
    {
        using var dir = new TempDir();
        var s = new ExternalSorter(dir.Path, "x", 1024);
        for (var i = 0; i < 5000; i++)
        {
            s.Add((UInt128)i);
        }

        Assert.NotEmpty(Directory.GetFiles(dir.Path));
        s.Dispose();
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

using Leakwatch.Storage.Sorting;

namespace Leakwatch.Storage.Tests.Sorting;

public class ExternalSorterTests
{
    private static ExternalSorter<UInt128, UniformKeyOrder> KeySorter(string dir, string name, int capacity) =>
        new(new TempFileRuns<UInt128>(dir, run => $"{name}-{run:D6}.run"), capacity, capacity);

    private static List<T> ReadAll<T, TOrder>(SortedMergeCursor<T, TOrder> cursor)
        where T : unmanaged
        where TOrder : struct, IRecordOrder<T>
    {
        var got = new List<T>();
        while (cursor.TryNext(out var v))
        {
            got.Add(v);
        }

        return got;
    }

    [Fact]
    public void Merge_WithSpillsAcrossSorters_YieldsSortedUniqueUnion()
    {
        using var dir = new SortScratchDirectory();
        var rng = new Random(11);
        var all = new List<UInt128>();
        using var a = KeySorter(dir.Path, "a", 1024);
        using var b = KeySorter(dir.Path, "b", 1024);
        for (var i = 0; i < 20_000; i++)
        {
            var v = new UInt128((ulong)rng.Next(5000), 0);
            all.Add(v);
            (i % 2 == 0 ? a : b).Add(v);
        }

        Assert.True(a.SpilledRuns > 1, "the test must exercise spilled runs");
        using var cursor = ExternalSorter<UInt128, UniformKeyOrder>.Merge([a, b]);
        var got = ReadAll(cursor);

        Assert.Equal(all.Distinct().OrderBy(v => v), got);
        Assert.Equal(20_000, a.Added + b.Added);
        Assert.Equal(got.Count, cursor.Count);
    }

    [Fact]
    public void Dispose_RemovesRunFiles()
    {
        using var dir = new SortScratchDirectory();
        var s = KeySorter(dir.Path, "x", 1024);
        for (var i = 0; i < 5000; i++)
        {
            s.Add((UInt128)i);
        }

        Assert.NotEmpty(dir.Files());
        s.Dispose();
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void Merge_LargeUniformKeys_RadixSortedBufferMatchesArraySort()
    {
        using var dir = new SortScratchDirectory();
        var rng = new Random(3);
        var keys = new UInt128[50_000];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new UInt128((ulong)rng.NextInt64(), (ulong)rng.Next(100));
        }

        keys[7] = keys[40_000]; // a duplicate far apart
        using var s = KeySorter(dir.Path, "big", 1 << 20);
        foreach (var k in keys)
        {
            s.Add(k);
        }

        using var cursor = s.Merge();
        var got = ReadAll(cursor);

        Assert.Equal(0, s.SpilledRuns);
        Assert.Equal(keys.Distinct().Order(), got);
    }

    [Fact]
    public void Merge_EqualKeysAcrossRuns_AreCombined()
    {
        using var dir = new SortScratchDirectory();
        using var s = new ExternalSorter<Tally, TallyOrder>(new TempFileRuns<Tally>(dir.Path, run => $"t-{run}.run"), 4, 4);
        for (var round = 0; round < 5; round++)
        {
            for (ulong k = 0; k < 6; k++)
            {
                s.Add(new Tally(k, k + 1));
            }
        }

        using var cursor = s.Merge();
        var got = new List<(ulong, ulong)>();
        while (cursor.MoveNext())
        {
            got.Add((cursor.Current.Key, cursor.Current.Count));
        }

        Assert.True(s.SpilledRuns >= 5);
        Assert.Equal([(0UL, 5UL), (1, 10), (2, 15), (3, 20), (4, 25), (5, 30)], got);
    }

    [Fact]
    public void Merge_CursorDispose_RemovesRunsAtOnce()
    {
        using var dir = new SortScratchDirectory();
        using var s = KeySorter(dir.Path, "m", 1024);
        for (var i = 0; i < 5000; i++)
        {
            s.Add((UInt128)i);
        }

        var cursor = s.Merge();
        Assert.Equal(5000, cursor.Drain());
        Assert.NotEmpty(dir.Files());
        cursor.Dispose();
        Assert.Empty(dir.Files());
        Assert.Equal(4, s.SpilledRuns);
    }

    [Fact]
    public void Dispose_CursorNeverDisposed_SorterStillRemovesRuns()
    {
        using var dir = new SortScratchDirectory();
        var s = KeySorter(dir.Path, "n", 1024);
        for (var i = 0; i < 5000; i++)
        {
            s.Add((UInt128)i);
        }

        var cursor = s.Merge();
        Assert.True(cursor.TryNext(out _));
        s.Dispose();
        if (!OperatingSystem.IsWindows())
        {
            // Windows refuses to delete a file a reader still holds; the cursor's Dispose removes it there.
            Assert.Empty(dir.Files());
        }

        cursor.Dispose();
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void Absorb_TakesOverRunsAndBuffer_LeavingTheOtherEmpty()
    {
        using var dir = new SortScratchDirectory();
        using var a = KeySorter(dir.Path, "a", 1024);
        using var b = KeySorter(dir.Path, "b", 1024);
        for (var i = 0; i < 3000; i++)
        {
            a.Add((UInt128)(i * 2));
            b.Add((UInt128)(i * 3));
        }

        var bRuns = b.SpilledRuns;
        a.Absorb(b);
        Assert.Equal(0, b.SpilledRuns);
        Assert.Equal(0, b.Added);
        Assert.Equal(6000, a.Added);
        Assert.True(a.SpilledRuns >= 2 + bRuns);

        using (var empty = b.Merge())
        {
            Assert.Equal(0, empty.Drain());
        }

        using var cursor = a.Merge();
        var expected = Enumerable.Range(0, 3000).SelectMany(i => new[] { (UInt128)(i * 2), (UInt128)(i * 3) }).Distinct().Order();
        Assert.Equal(expected, ReadAll(cursor));
    }

    [Fact]
    public void CompactBeforeSpill_HeavyRepetition_StaysInMemory()
    {
        using var dir = new SortScratchDirectory();
        using var compacting = new ExternalSorter<ulong, DistinctAscending<ulong>>(new TempFileRuns<ulong>(dir.Path, r => $"c-{r}.run"), 64, 16, compactBeforeSpill: true);
        using var plain = new ExternalSorter<ulong, DistinctAscending<ulong>>(new TempFileRuns<ulong>(dir.Path, r => $"p-{r}.run"), 64, 16);
        for (var i = 0; i < 10_000; i++)
        {
            compacting.Add((ulong)(i % 20));
            plain.Add((ulong)(i % 20));
        }

        Assert.Equal(0, compacting.SpilledRuns);
        Assert.True(plain.SpilledRuns > 100);
        using var cursor = compacting.Merge();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (ulong)i), ReadAll(cursor));
    }

    [Fact]
    public void TempFileRuns_TruncatedRun_IsReported()
    {
        using var dir = new SortScratchDirectory();
        using var s = KeySorter(dir.Path, "t", 1024);
        for (var i = 0; i < 2048; i++)
        {
            s.Add((UInt128)i);
        }

        var run = Assert.Single(dir.Files());
        using (var f = new FileStream(run, FileMode.Open))
        {
            f.SetLength(f.Length - 3);
        }

        using var cursor = s.Merge();
        Assert.Throws<IOException>(() => cursor.Drain());
    }

    [Fact]
    public void EncryptedTempRuns_LeaveNoFileAndNoPlaintext_AndReadBack()
    {
        using var dir = new SortScratchDirectory();
        var numbers = Enumerable.Range(0, 30_000).Select(i => 447700900000UL + ((ulong)i * 7)).ToArray();
        using var s = new ExternalSorter<ulong, DistinctAscending<ulong>>(new EncryptedTempRuns<ulong>(dir.Path, "enc"), 1000, 1000);
        foreach (var n in numbers.Reverse())
        {
            s.Add(n);
        }

        Assert.True(s.SpilledRuns >= 29);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Empty(dir.Files());
        }

        using var cursor = s.Merge();
        Assert.Equal(numbers, ReadAll(cursor));
    }
}

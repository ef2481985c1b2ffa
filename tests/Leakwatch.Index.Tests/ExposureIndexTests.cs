using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Leakwatch.Index.Tests;

public class ExposureIndexTests
{
    private static UInt128 RandomKey(Random rng)
    {
        Span<byte> b = stackalloc byte[10];
        rng.NextBytes(b);
        return IndexKeys.ReadBigEndian(b);
    }

    private sealed class ListStream(IEnumerable<UInt128> keys, byte cls = 1) : IKeyStream
    {
        private readonly IEnumerator<UInt128> _e = keys.OrderBy(k => k).Distinct().GetEnumerator();

        public bool TryNext(out UInt128 key, out byte keyClass)
        {
            keyClass = cls;
            if (_e.MoveNext())
            {
                key = _e.Current;
                return true;
            }

            key = default;
            return false;
        }
    }

    /// <summary>Builds an index by merging breaches one after another, like successive ingests.</summary>
    private static string Build(TempDir dir, IReadOnlyList<HashSet<UInt128>> breaches)
    {
        string? current = null;
        for (var b = 0; b < breaches.Count; b++)
        {
            var next = dir.File($"gen{b}.lwx");
            using (var existing = current is null ? null : ExposureIndexReader.Open(current))
            {
                ExposureIndexMerger.MergeAdd(existing, new ListStream(breaches[b]), breaches[b].Count, b + 1, next);
            }

            current = next;
        }

        return current!;
    }

    [Fact]
    public void Lookup_AfterThreeMerges_ReturnsExactBreachSets()
    {
        using var dir = new TempDir();
        var rng = new Random(42);
        var pool = Enumerable.Range(0, 30_000).Select(_ => RandomKey(rng)).Distinct().ToArray();
        var breaches = new List<HashSet<UInt128>>();
        for (var b = 0; b < 3; b++)
        {
            breaches.Add([.. pool.Where(_ => rng.NextDouble() < 0.5)]);
        }

        using var index = ExposureIndexReader.Open(Build(dir, breaches));
        foreach (var key in pool)
        {
            var expected = Enumerable.Range(0, 3).Where(b => breaches[b].Contains(key)).Select(b => b + 1).ToArray();
            Assert.Equal(expected, index.Lookup(key));
        }

        for (var i = 0; i < 5000; i++)
        {
            Assert.Empty(index.Lookup(RandomKey(rng)));
        }

        Assert.Equal(breaches.SelectMany(b => b).Distinct().Count(), index.EntryCount);
        Assert.Empty(index.Verify());
    }

    [Property(MaxTest = 60)]
    public Property MergeAddThenRemove_MatchesReferenceModel(int seed, PositiveInt sizeA, PositiveInt sizeB)
    {
        using var dir = new TempDir();
        var rng = new Random(seed);
        var pool = Enumerable.Range(0, 1 + sizeA.Get % 3000).Select(_ => RandomKey(rng)).Distinct().ToArray();
        var a = new HashSet<UInt128>(pool.Where(_ => rng.Next(3) != 0));
        var b = new HashSet<UInt128>(pool.Where(_ => rng.Next(3) != 0).Take(1 + sizeB.Get % 3000));
        var both = Build(dir, [a, b]);
        var removed = dir.File("removed.lwx");
        bool ok;
        using (var idx = ExposureIndexReader.Open(both))
        {
            ok = pool.All(k => idx.Lookup(k).SequenceEqual(new[] { a.Contains(k) ? 1 : 0, b.Contains(k) ? 2 : 0 }.Where(x => x > 0)));
            ExposureIndexMerger.MergeRemove(idx, 1, removed);
        }

        using var after = ExposureIndexReader.Open(removed);
        ok &= pool.All(k => after.Lookup(k).SequenceEqual(b.Contains(k) ? new[] { 2 } : []));
        ok &= after.EntryCount == b.Count && after.Verify().Count == 0;
        return ok.ToProperty();
    }

    /// <summary>A lookup's first probe is a guess from the key's bits (keys are hashes, spread evenly); keys bunched
    /// at both ends of one bucket put the guess far from them, and the search must still find each and nothing else.</summary>
    [Fact]
    public void Lookup_FindsKeysFarFromTheirGuess_InALopsidedBucket()
    {
        using var dir = new TempDir();
        var rng = new Random(7);
        var stored = new HashSet<UInt128>();
        var bucket = (UInt128)0xA5UL << 120;
        for (var i = 0; i < 400; i++)
        {
            // 8-bit prefix for this size: all in bucket 0xA5, half just above its start, half just below its end.
            var low = bucket + ((UInt128)(ulong)rng.Next(1 << 20) << 80) + ((UInt128)(ulong)rng.Next(1 << 16) << 48);
            var high = bucket + ((UInt128)(0xFFFF_FFFFUL - (ulong)rng.Next(1 << 20)) << 80) + ((UInt128)(ulong)rng.Next(1 << 16) << 48);
            stored.Add(low);
            stored.Add(high);
        }

        stored.Add(bucket);
        stored.Add(bucket + ((UInt128)0xFF_FFFF_FFFF_FFFFUL << 64) + ((UInt128)0xFFFFUL << 48));
        var absent = new List<UInt128> { bucket + ((UInt128)1UL << 119), bucket + ((UInt128)1UL << 48) };
        foreach (var k in stored)
        {
            absent.Add(k + (UInt128.One << 48));
            absent.Add(k - (UInt128.One << 48));
        }

        absent.RemoveAll(stored.Contains);
        var path = dir.File("lopsided.lwx");
        ExposureIndexMerger.MergeAdd(null, new ListStream(stored), 5_000, 1, path);
        using var index = ExposureIndexReader.Open(path);
        foreach (var k in stored)
        {
            Assert.Equal([1], index.Lookup(k));
        }

        foreach (var k in absent)
        {
            Assert.Equal(-1, index.FindSetId(k));
        }
    }

    /// <summary>Lookups compare the stored key bytes as integers; the count of stored bytes depends on the bucket
    /// prefix (9, 8 or 7 bytes here), and neighbours that differ only in the last stored byte, or only in the bits
    /// the bucket implies, must still be told apart.</summary>
    [Theory]
    [InlineData(5_000L)]
    [InlineData(1L << 23)]
    [InlineData(1L << 31)]
    public void Lookup_FindsExactlyTheStoredKeys_WhateverTheStoredKeyWidth(long entryUpperBound)
    {
        using var dir = new TempDir();
        var rng = new Random((int)(entryUpperBound % 1000) + 11);
        var stored = new HashSet<UInt128>();
        var absent = new List<UInt128>();
        for (var i = 0; i < 3000; i++)
        {
            var k = RandomKey(rng);
            stored.Add(k);
            // A neighbour one step away in the last key byte, and one with another last byte, both absent.
            absent.Add(k + (UInt128.One << 48));
            absent.Add(k ^ (UInt128.One << 55));
        }

        absent.RemoveAll(stored.Contains);
        var path = dir.File("w.lwx");
        ExposureIndexMerger.MergeAdd(null, new ListStream(stored), entryUpperBound, 1, path);
        using var index = ExposureIndexReader.Open(path);
        foreach (var k in stored)
        {
            Assert.Equal([1], index.Lookup(k));
        }

        foreach (var k in absent)
        {
            Assert.Empty(index.Lookup(k));
        }
    }

    [Fact]
    public void Cursor_ReconstructsEveryKeyInOrder()
    {
        using var dir = new TempDir();
        var rng = new Random(7);
        var keys = new HashSet<UInt128>(Enumerable.Range(0, 50_000).Select(_ => RandomKey(rng)));
        using var index = ExposureIndexReader.Open(Build(dir, [keys]));
        var cursor = index.OpenCursor();
        var read = new List<UInt128>();
        while (cursor.TryNext(out var k, out _))
        {
            read.Add(k);
        }

        Assert.Equal(keys.OrderBy(k => k), read);
    }

    [Fact]
    public void Verify_FlippedEntryByte_ReportsChecksumMismatch()
    {
        using var dir = new TempDir();
        var rng = new Random(3);
        var path = Build(dir, [[.. Enumerable.Range(0, 10_000).Select(_ => RandomKey(rng))]]);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        using var index = ExposureIndexReader.Open(path);
        Assert.Contains(index.Verify(), p => p.Contains("checksum mismatch", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_TruncatedFile_ThrowsCorruptWithPath()
    {
        using var dir = new TempDir();
        var rng = new Random(4);
        var path = Build(dir, [[.. Enumerable.Range(0, 1000).Select(_ => RandomKey(rng))]]);
        using (var fs = new FileStream(path, FileMode.Open))
        {
            fs.SetLength(fs.Length - 7);
        }

        var e = Assert.Throws<IndexCorruptException>(() => ExposureIndexReader.Open(path).Dispose());
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(10_000_000)]
    [InlineData(100_000_000)]
    [InlineData(1_200_000_000)]
    public void EntrySize_AtScaleWithThousandsOfBreachSets_StaysWithinTwelveBytes(long entries)
    {
        var bits = ExposureIndexFormat.PrefixBitsFor(entries);
        var entry = ExposureIndexFormat.KeyBytesFor(bits) + ExposureIndexFormat.SetIdBytesFor(60_000);
        var tocPerEntry = 8.0 * ((1L << bits) + 1) / entries;
        Assert.True(entry + tocPerEntry <= 12, $"entry {entry} B + toc {tocPerEntry:F2} B");
        // The bucket bits plus the stored key bytes must still identify all 80 bits of the key.
        Assert.True(bits + 8 * ExposureIndexFormat.KeyBytesFor(bits) >= 80);
    }
}

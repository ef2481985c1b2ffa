using Leakwatch.Storage.Sorting;

namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>The compact run layout and the merge's fan-in bound: what keeps a 1.2-billion-row ingest within its temp
/// disk and its memory.</summary>
public class RunLayoutTests
{
    private static UInt128 Key80(Random rng) => new((ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63), (ulong)rng.Next(65536) << 48);

    [Fact]
    public void SortedIntegerCodec_RoundTripsEdgeCases()
    {
        var codec = SortedIntegerCodec<UInt128>.Instance;
        UInt128[][] blocks =
        [
            [],
            [UInt128.Zero],
            [UInt128.Zero, UInt128.Zero, UInt128.MaxValue],
            [1, 2, 3, 1000, UInt128.MaxValue - 1, UInt128.MaxValue],
            [(UInt128)1 << 48, (UInt128)5 << 48, (UInt128)5 << 48, UInt128.MaxValue << 48],
        ];
        foreach (var block in blocks)
        {
            var bytes = new byte[codec.MaxEncodedBytes(block.Length)];
            var length = codec.Encode(block, bytes);
            var back = new UInt128[Math.Max(1, block.Length)];
            Assert.Equal(block.Length, codec.Decode(bytes, length, back));
            Assert.Equal(block, back[..block.Length]);
        }
    }

    [Fact]
    public void SortedIntegerCodec_DescendingInput_Throws()
    {
        var codec = SortedIntegerCodec<ulong>.Instance;
        var bytes = new byte[codec.MaxEncodedBytes(3)];
        Assert.Throws<InvalidOperationException>(() => codec.Encode([5UL, 4UL, 9UL], bytes));
    }

    [Fact]
    public void TempFileRuns_EightyBitKeys_TakeUnderTenBytesEachAndReadBackExactly()
    {
        using var dir = new SortScratchDirectory();
        var rng = new Random(7);
        var keys = new UInt128[200_000];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Key80(rng);
        }

        Array.Sort(keys);
        var store = new TempFileRuns<UInt128>(dir.Path, n => $"k-{n}.run", SortedIntegerCodec<UInt128>.Instance);
        using var run = ((IRunStore<UInt128>)store).Write(keys);
        var onDisk = new FileInfo(Assert.Single(dir.Files())).Length;
        Assert.True(onDisk < 10L * keys.Length, $"{onDisk} bytes for {keys.Length} keys: the gaps layout saves less than 6 of 16 bytes a key");
        var back = new List<UInt128>();
        using (var reader = run.OpenReader())
        {
            for (var block = reader.ReadBlock(); block.Count > 0; block = reader.ReadBlock())
            {
                back.AddRange(block);
            }
        }

        Assert.Equal(keys, back);
    }

    [Fact]
    public void Merge_PastMaxFanIn_MergesTheOldestRunsFirstAndStaysExact()
    {
        using var dir = new SortScratchDirectory();
        var rng = new Random(5);
        var all = new List<UInt128>();
        using var a = new ExternalSorter<UInt128, UniformKeyOrder>(
            new TempFileRuns<UInt128>(dir.Path, n => $"a-{n:D5}.run", SortedIntegerCodec<UInt128>.Instance), 64, 64)
        { MaxFanIn = 4 };
        using var b = new ExternalSorter<UInt128, UniformKeyOrder>(
            new EncryptedTempRuns<UInt128>(dir.Path, "b", SortedIntegerCodec<UInt128>.Instance), 64, 64);
        for (var i = 0; i < 6_000; i++)
        {
            var v = i % 10 == 0 && all.Count > 0 ? all[rng.Next(all.Count)] : Key80(rng);
            all.Add(v);
            (i % 3 == 0 ? b : a).Add(v);
        }

        Assert.True(a.SpilledRuns + b.SpilledRuns > 50, "the test must spill far more runs than the fan-in");
        using var cursor = ExternalSorter<UInt128, UniformKeyOrder>.Merge([a, b]);
        Assert.InRange(cursor.Sources, 2, 4);
        var got = new List<UInt128>();
        while (cursor.TryNext(out var v))
        {
            got.Add(v);
        }

        Assert.Equal(all.Distinct().Order(), got);
        cursor.Dispose();
        Assert.Empty(dir.Files());
    }
}

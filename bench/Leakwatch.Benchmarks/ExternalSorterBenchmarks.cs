using BenchmarkDotNet.Attributes;
using Leakwatch.Index;

namespace Leakwatch.Benchmarks;

/// <summary>
/// The exposure-key external sort as ingest drives it: keys added one by one, then merged. In memory the whole
/// cost is the buffer's radix sort; with a small budget it is spill writes plus the k-way merge of the runs.
/// </summary>
[MemoryDiagnoser]
public class ExternalSorterBenchmarks
{
    private string _dir = "";
    private UInt128[] _keys = [];

    [Params(10_000_000)]
    public int Keys { get; set; }

    /// <summary>Keys held in memory: all of them, or a budget that forces ~40 runs.</summary>
    [Params(10_000_000, 250_000)]
    public int Capacity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("lw-sort-bench-").FullName;
        var rng = new Random(17);
        Span<byte> b = stackalloc byte[10];
        _keys = new UInt128[Keys];
        for (var i = 0; i < _keys.Length; i++)
        {
            rng.NextBytes(b);
            _keys[i] = IndexKeys.ReadBigEndian(b);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public long AddSortMerge()
    {
        using var sorter = new ExternalSorter(_dir, "bench", Capacity);
        foreach (var k in _keys)
        {
            sorter.Add(k);
        }

        ExternalSorter.SortBuffers([sorter]);
        using var cursor = ExternalSorter.Merge([sorter]);
        return cursor.Drain();
    }
}

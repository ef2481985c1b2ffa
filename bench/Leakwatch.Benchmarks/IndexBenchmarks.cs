using BenchmarkDotNet.Attributes;
using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Benchmarks;

/// <summary>Keyed hashing and warm in-process lookups in a 10M-entry index.</summary>
[MemoryDiagnoser]
public class IndexBenchmarks
{
    private string _dir = "";
    private ExposureIndexReader _reader = null!;
    private UInt128[] _present = [];
    private UInt128[] _absent = [];
    private IdentifierHasher _hasher = null!;

    [Params(10_000_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("lw-bench-").FullName;
        _hasher = new IdentifierHasher(KeyFile.Create(Path.Combine(_dir, "k.key")));
        var rng = new Random(5);
        var keys = new UInt128[Entries];
        Span<byte> b = stackalloc byte[10];
        for (var i = 0; i < keys.Length; i++)
        {
            rng.NextBytes(b);
            keys[i] = IndexKeys.ReadBigEndian(b);
        }

        Array.Sort(keys);
        var path = Path.Combine(_dir, "bench.lwx");
        using (var w = new ExposureIndexWriter(path, keys.Length, 1))
        {
            UInt128 last = default;
            for (var i = 0; i < keys.Length; i++)
            {
                if (i > 0 && keys[i] == last)
                {
                    continue;
                }

                w.Add(keys[i], 0);
                last = keys[i];
            }

            w.Complete([[1]]);
        }

        _reader = ExposureIndexReader.Open(path);
        _present = [.. Enumerable.Range(0, 4096).Select(_ => keys[rng.Next(keys.Length)])];
        _absent = new UInt128[4096];
        for (var i = 0; i < _absent.Length; i++)
        {
            rng.NextBytes(b);
            _absent[i] = IndexKeys.ReadBigEndian(b);
        }
    }

    [Benchmark(OperationsPerInvoke = 4096)]
    public int LookupPresent()
    {
        var n = 0;
        foreach (var k in _present)
        {
            n += _reader.FindSetId(k);
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = 4096)]
    public int LookupAbsent()
    {
        var n = 0;
        foreach (var k in _absent)
        {
            n += _reader.FindSetId(k);
        }

        return n;
    }

    [Benchmark]
    public UInt128 KeyedHashEmail() => _hasher.HashEmail("first.last@example.com");

    [Benchmark]
    public UInt128 KeyedHashPhone() => _hasher.HashPhone(447911123456);

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader.Dispose();
        Directory.Delete(_dir, true);
    }
}

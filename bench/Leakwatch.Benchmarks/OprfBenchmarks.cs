using BenchmarkDotNet.Attributes;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Benchmarks;

/// <summary>Per-call cost of the OPRF server side: BlindEvaluate answers a private lookup, Evaluate keys one
/// identifier when the private index is built. Both should allocate nothing (span overloads).</summary>
[MemoryDiagnoser]
public class OprfBenchmarks
{
    private const int Batch = 64;

    private readonly byte[] _evaluated = new byte[OprfSuite.ElementSize];
    private readonly byte[] _output = new byte[OprfSuite.OutputSize];
    private byte[] _privateKey = [];
    private byte[][] _blindedElements = [];
    private byte[][] _inputs = [];

    [GlobalSetup]
    public void Setup()
    {
        _privateKey = OprfSuite.GenerateKeyPair().PrivateKey;
        _inputs = Enumerable.Range(0, Batch).Select(i => System.Text.Encoding.UTF8.GetBytes($"first.last{i}@example{i % 7}.com")).ToArray();
        _blindedElements = _inputs.Select(input => OprfSuite.Blind(input).BlindedElement).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public byte BlindEvaluate()
    {
        byte x = 0;
        foreach (var blinded in _blindedElements)
        {
            OprfSuite.BlindEvaluate(_privateKey, blinded, _evaluated);
            x ^= _evaluated[0];
        }

        return x;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public byte Evaluate()
    {
        byte x = 0;
        foreach (var input in _inputs)
        {
            OprfSuite.Evaluate(_privateKey, input, _output);
            x ^= _output[0];
        }

        return x;
    }
}

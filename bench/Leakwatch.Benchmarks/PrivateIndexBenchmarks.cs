using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Benchmarks;

/// <summary>
/// The private index's per-unit costs. EvaluateIdentifier is the OPRF phase per identifier (Evaluate + bucket hash):
/// the build's bound, target ≥ 15k/s per core; EncodeChain is the rest of that phase's work per identifier (HKDF
/// extract, keycheck and pad). AssembleBucketPerIdentifier is the merge per identifier (copy, dummies, sort) for a
/// fresh bucket of 512. EvaluateRequest is the evaluate endpoint's work without HTTP:
/// BlindEvaluate and base64 of a 640-entry bucket (target: server time p50 ≤ 5 ms).
/// </summary>
[MemoryDiagnoser]
public class PrivateIndexBenchmarks
{
    private const int Batch = 64;
    private const int BucketSize = 512;

    private readonly byte[] _y = new byte[OprfSuite.OutputSize];
    private readonly byte[] _evaluated = new byte[OprfSuite.ElementSize];
    private readonly char[] _base64 = new char[4 * 640 * PrivateProtocol.EntrySize / 3 + 4];
    private OprfServerKey _key = null!;
    private byte[][] _inputs = [];
    private byte[] _blinded = [];
    private byte[] _bucket = [];
    private PrivateRecord[] _records = [];
    private PrivateBucketAssembler _assembler = null!;
    private byte[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        _key = OprfServerKey.Generate();
        _inputs = Enumerable.Range(0, Batch).Select(i => Encoding.UTF8.GetBytes($"email:first.last{i}@example{i % 7}.com")).ToArray();
        _blinded = OprfSuite.Blind(_inputs[0]).BlindedElement;
        _bucket = RandomNumberGenerator.GetBytes(640 * PrivateProtocol.EntrySize);
        _salt = RandomNumberGenerator.GetBytes(32);
        _records = new PrivateRecord[BucketSize];
        _chains = new byte[BucketSize * (PrivateChain.HeaderSize + PrivateProtocol.EntrySize)];
        var used = 0;
        for (var i = 0; i < BucketSize; i++)
        {
            var x = Encoding.UTF8.GetBytes($"phone:+4479111{i:D5}");
            _key.Evaluate(x, _y);
            var length = PrivateChain.Encode(_y, _salt, Set, _random, _chains.AsSpan(used));
            _records[i] = new PrivateRecord { BucketHash = PrivateProtocol.BucketHash(x), KeyHigh = (ulong)i + 1, ChainOffset = used, ChainLength = length };
            used += length;
        }

        Array.Sort(_records, PrivateRecord.Compare);
        _assembler = new PrivateBucketAssembler(_key, _salt, null, SecurePrivateRandom.Instance);
        _output = new byte[608 * PrivateProtocol.EntrySize];
    }

    private static readonly int[] Set = [1, 2];
    private readonly BufferedPrivateRandom _random = new(SecurePrivateRandom.Instance);
    private readonly byte[] _chain = new byte[PrivateChain.MaxSize];
    private byte[] _salt = [];
    private byte[] _chains = [];

    /// <summary>The OPRF phase's per-identifier work beside the OPRF: the chain (HKDF extract, keycheck, pad, nonce).</summary>
    [Benchmark]
    public int EncodeChain() => PrivateChain.Encode(_y, _salt, Set, _random, _chain);

    [Benchmark(OperationsPerInvoke = Batch)]
    public uint EvaluateIdentifier()
    {
        uint x = 0;
        foreach (var input in _inputs)
        {
            _key.Evaluate(input, _y);
            x ^= PrivateProtocol.BucketHash(input) ^ _y[0];
        }

        return x;
    }

    [Benchmark(OperationsPerInvoke = BucketSize)]
    public int AssembleBucketPerIdentifier() => _assembler.Assemble(0, -1, _records, _chains, 608, _output);

    [Benchmark]
    public int EvaluateRequest()
    {
        _key.BlindEvaluate(_blinded, _evaluated);
        Convert.TryToBase64Chars(_bucket, _base64, out var written);
        return written;
    }
}

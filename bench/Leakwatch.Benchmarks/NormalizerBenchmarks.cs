using BenchmarkDotNet.Attributes;
using Leakwatch.Core;

namespace Leakwatch.Benchmarks;

/// <summary>Per-identifier cost of the normalizers on the ingest hot path.</summary>
[MemoryDiagnoser]
public class NormalizerBenchmarks
{
    private readonly PhoneNormalizer _phones = new(null);
    private readonly char[] _email = new char[EmailNormalizer.MaxLength];
    private string[] _phoneInputs = [];
    private string[] _emailInputs = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        string[] prefixes = ["+4479", "+1212", "+2010", "+91987", "+55119", "+3361", "+49151", "+23480"];
        _phoneInputs = Enumerable.Range(0, 1024).Select(i => prefixes[i % prefixes.Length] + rng.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        _emailInputs = Enumerable.Range(0, 1024).Select(i => $"First.Last{i}@Example{i % 7}.com").ToArray();
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public int PhoneFast()
    {
        var n = 0;
        foreach (var p in _phoneInputs)
        {
            n += _phones.TryNormalize(p, out _) ? 1 : 0;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public int PhoneLibphonenumber()
    {
        var n = 0;
        foreach (var p in _phoneInputs)
        {
            n += _phones.TryNormalizeSlow(p, out _) ? 1 : 0;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public int Email()
    {
        var n = 0;
        foreach (var e in _emailInputs)
        {
            n += EmailNormalizer.TryNormalize(e, _email, out var w) ? w : 0;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public int BirthDate()
    {
        var today = new DateOnly(2026, 11, 27);
        var n = 0;
        for (var i = 0; i < 1024; i++)
        {
            n += BirthDateParser.TryParse(i % 2 == 0 ? "1990-01-31" : "1/31/1990", DateOrder.Auto, today, out _) ? 1 : 0;
        }

        return n;
    }
}

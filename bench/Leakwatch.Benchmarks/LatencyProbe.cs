using System.Diagnostics;
using System.Globalization;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Privacy;

namespace Leakwatch.Benchmarks;

/// <summary>
/// Whole-lookup latency percentiles in process (normalize + keyed hash + index seek + catalogue), over
/// accounts read from a file, warm. Used by bench/ingest.sh; BenchmarkDotNet covers the pieces.
/// </summary>
public static class LatencyProbe
{
    public static int Run(string dataDir, string keyFile, string accountsFile, int rounds)
    {
        var accounts = File.ReadAllLines(accountsFile);
        using var lookup = ExposureLookup.Open(dataDir, KeyFile.Load(keyFile));
        var phones = new PhoneNormalizer(null);
        var samples = new List<double>(accounts.Length * rounds);
        var found = 0;
        for (var r = 0; r < rounds + 1; r++)
        {
            foreach (var a in accounts)
            {
                var t = Stopwatch.GetTimestamp();
                if (lookup.TryKey(a, phones, out var key) != AccountKind.Invalid && lookup.Find(key).Count > 0)
                {
                    found++;
                }

                var us = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
                if (r > 0)
                {
                    samples.Add(us); // round 0 warms the JIT and the page cache
                }
            }
        }

        samples.Sort();
        double P(double q) => samples[(int)Math.Min(samples.Count - 1, q * samples.Count)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lookups={samples.Count} found={found / (rounds + 1)} p50_us={P(0.50):F2} p90_us={P(0.90):F2} p99_us={P(0.99):F2} p999_us={P(0.999):F2} max_us={samples[^1]:F2}"));
        return 0;
    }
}

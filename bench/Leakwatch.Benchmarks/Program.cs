using BenchmarkDotNet.Running;
using Leakwatch.Benchmarks;

if (args.Length >= 4 && args[0] == "latency")
{
    // latency DATA_DIR KEY_FILE ACCOUNTS_FILE [ROUNDS]
    return LatencyProbe.Run(args[1], args[2], args[3], args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 5);
}

if (args.Length == 4 && args[0] == "private-queries")
{
    // private-queries CONFIG_JSON ACCOUNTS_FILE OUT_FILE   (bench/soak.sh)
    return PrivateQueryBodies.Write(args[1], args[2], args[3]);
}

BenchmarkSwitcher.FromAssembly(typeof(NormalizerBenchmarks).Assembly).Run(args);
return 0;

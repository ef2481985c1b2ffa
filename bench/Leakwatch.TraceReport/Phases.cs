namespace Leakwatch.TraceReport;

internal static class Phases
{
    public const string Wait = "wait";
    public const string Other = "other (runtime, JIT, start-up, CLI)";
    public const string NoManagedFrame = "native only (no managed frame)";
    public const string Suspended = "runtime suspended (GC pause)";
    public const string PollWait = "stopped at a GC poll (sampler artifact)";

    // Innermost match wins; within a frame, the first rule that matches. Waits come first so that a blocked
    // worker is never counted as the work it is waiting for.
    private static readonly (string Phase, string[] Patterns)[] Rules =
    [
        // A thread coming back from a native call (here libsodium's SipHash) while the runtime is suspended —
        // which the sample profiler does on every tick — waits until it resumes. That wait is the profiler's,
        // not the ingest's: without a profiler nothing is suspended between GCs.
        (PollWait, ["PollGC"]),
        (Wait, ["Monitor.Wait", "WaitHandle.Wait", "SemaphoreSlim.Wait", "LowLevelLifoSemaphore", "Thread.Join",
            "Thread.Sleep", "ManualResetEventSlim.Wait", "Task.InternalWait", "Task.Wait", "SpinWait", "LowLevelMonitor",
            "WaitOneCore", "WaitSubsystem", "BlockingCollection`1.TryTakeWithNoTimeValidation", "Thread.SleepInternal"]),
        ("fsync", ["FileSync.", "FSync", "FlushToDisk", "ExposureIndexStore.Publish", "ExposureIndexStore.FsyncDirectory"]),
        ("phone normalization", ["Leakwatch.Core.PhoneNormalizer", "PhoneNumbers."]),
        ("email normalization", ["Leakwatch.Core.EmailNormalizer", "IdnMapping", "Leakwatch.Core.TopLevelDomains"]),
        ("birth date + gender", ["Leakwatch.Core.BirthDateParser", "Leakwatch.Core.GenderNormalizer"]),
        ("hashing (SipHash keys, row digests)", ["Leakwatch.Privacy.IdentifierHasher", "Leakwatch.Privacy.EphemeralHasher",
            "Leakwatch.Privacy.Sodium", "XxHash128", "crypto_shorthash"]),
        ("merge (index write, run merge, row count)", ["SortedMergeCursor", "TempFileRuns`1+Reader",
            "ExposureIndexMerger", "ExposureIndexWriter", "ClassedKeyStream", "BreachSetTable", "OverlapCounter",
            "IngestPipeline.CountRows"]),
        ("sort/spill", ["Leakwatch.Storage.Sorting.", "Leakwatch.Index.ExternalSorter", "Leakwatch.Index.KeyOrder"]),
        ("analysis (report accumulators)", ["Leakwatch.Analysis.", "Leakwatch.Ingest.OverlapCounter"]),
        ("read/parse (scan, Sep, row copy)", ["nietras.SeparatedValues", "Leakwatch.Reading.", "IngestSink.OnRow",
            "Leakwatch.Ingest.RowBatch", "RowSplitter", "Leakwatch.Ingest.Parallel", "ZstdSharp", "GZipStream", "DeflateStream",
            "Inflater"]),
        ("batch loop (worker glue)", ["IngestSink.Process", "IngestPipeline"]),
        ("report build + catalogue", ["Leakwatch.Catalog.", "Microsoft.Data.Sqlite", "System.Text.Json"]),
    ];

    public static string? Of(string method)
    {
        foreach (var (phase, patterns) in Rules)
        {
            foreach (var p in patterns)
            {
                if (method.Contains(p, StringComparison.Ordinal))
                {
                    return phase;
                }
            }
        }

        return null;
    }
}

using Leakwatch.Storage.Sorting;

namespace Leakwatch.Index;

/// <summary>
/// The external sort of identifier keys (class by class) and of row fingerprints (exact-duplicate rows): the
/// storage sorter in <see cref="KeyOrder"/>, with runs as files in the ingest temp directory named
/// <c>{name}-{process id}-{sequence}.run</c>, which the next ingest sweeps if a crash leaves them. Runs are written as
/// gaps (<see cref="SortedIntegerCodec{TRecord}"/>): keys and fingerprints are 80 bits, so about 8 bytes a key on disk.
/// </summary>
public sealed class ExternalSorter : ExternalSorter<UInt128, KeyOrder>
{
    private const int MinimumCapacity = 1024;
    private const int InitialCapacity = 64 * 1024;
    private static int s_runCounter;

    /// <param name="bufferCapacity">Keys held in memory before a run is spilled (at least 1,024).</param>
    public ExternalSorter(string tempDir, string name, int bufferCapacity)
        : this(new TempFileRuns<UInt128>(tempDir, _ => $"{name}-{Environment.ProcessId}-{Interlocked.Increment(ref s_runCounter):D6}.run",
            SortedIntegerCodec<UInt128>.Instance), bufferCapacity)
    {
    }

    private ExternalSorter(IRunStore<UInt128> runs, int bufferCapacity)
        : base(runs, Math.Max(MinimumCapacity, bufferCapacity), Math.Min(Math.Max(MinimumCapacity, bufferCapacity), InitialCapacity))
    {
    }

    /// <summary>A sorter whose runs are sealed under keys that live only in this process and unlinked at once
    /// (<see cref="EncryptedTempRuns{TRecord}"/>): for a run that must leave nothing readable behind, even after a
    /// SIGKILL and even to someone holding the key file (<c>verify</c>, which keeps no data dir state).</summary>
    public static ExternalSorter Sealed(string tempDir, string name, int bufferCapacity) =>
        new(new EncryptedTempRuns<UInt128>(tempDir, name, SortedIntegerCodec<UInt128>.Instance), bufferCapacity);
}

using Leakwatch.Storage.Sorting;

namespace Leakwatch.Passwords;

/// <summary>
/// Bounded-memory external sort of (hash, count) records: the storage sorter in <see cref="HashRecordOrder"/>
/// (duplicate hashes summed), holding at most <c>maxBytes</c> of records, with runs as files
/// <c>{name}-{run}-{guid}.run</c> in the ingest's temp directory, swept at the next ingest if a crash leaves them.
/// </summary>
internal sealed class RunSpiller : ExternalSorter<HashRecord, HashRecordOrder>
{
    private const int MinimumRecords = 16;
    private const int MaximumRecords = 1 << 27;
    private const int InitialRecords = 1 << 16;

    public RunSpiller(string tempDir, string name, long maxBytes)
        : this(tempDir, name, (int)Math.Clamp(maxBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<HashRecord>(), MinimumRecords, MaximumRecords))
    {
    }

    private RunSpiller(string tempDir, string name, int maxRecords)
        : base(new TempFileRuns<HashRecord>(tempDir, run => $"{name}-{run:D5}-{Guid.NewGuid():N}.run"), maxRecords, Math.Min(maxRecords, InitialRecords))
    {
    }
}

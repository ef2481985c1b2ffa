using Leakwatch.Storage.Sorting;

namespace Leakwatch.Analysis;

/// <summary>
/// Collects valid phone numbers (E.164 digits) for the enumeration analysis within a memory budget: the storage
/// sorter over distinct numbers, spilling past the budget to <see cref="EncryptedTempRuns{TRecord}"/>, so no
/// plaintext number, and no unkeyed function of one, ever reaches the disk. Heavy repetition shrinks a full
/// buffer a lot, so it is compacted rather than spilled while that frees half of it.
/// Not thread-safe: one store per worker, combined with <see cref="Adopt"/>.
/// </summary>
internal sealed class PhoneNumberStore : ExternalSorter<ulong, DistinctAscending<ulong>>
{
    private const int InitialCapacity = 4096;
    private const int MinimumCapacity = 16;

    public PhoneNumberStore(long memoryBytes, string tempDirectory)
        : this(tempDirectory, (int)Math.Clamp(memoryBytes / sizeof(ulong), MinimumCapacity, Array.MaxLength))
    {
    }

    private PhoneNumberStore(string tempDirectory, int capacity)
        : base(new EncryptedTempRuns<ulong>(tempDirectory, "leakwatch-analysis", SortedIntegerCodec<ulong>.Instance), capacity, Math.Min(InitialCapacity, capacity), compactBeforeSpill: true)
    {
    }

    /// <summary>Takes over everything <paramref name="other"/> holds; <paramref name="other"/> is left empty.</summary>
    public void Adopt(PhoneNumberStore other) => Absorb(other);

    /// <summary>Every number once, ascending. Consumes the store: call once, after the last <see cref="ExternalSorter{TRecord, TOrder}.Add"/>.</summary>
    public SortedMergeCursor<ulong, DistinctAscending<ulong>> OpenSortedDistinct() => Merge();
}

using Leakwatch.Storage.Sorting;

namespace Leakwatch.Passwords;

/// <summary>Hashes ascending as big-endian numbers; the counts of equal hashes are summed without wrapping. Hashes
/// are uniform, so a buffer is sorted by a radix partition on their top 16 bits.</summary>
internal readonly struct HashRecordOrder : IRecordOrder<HashRecord>, IRadixKey<HashRecord>
{
    public static bool Precedes(in HashRecord left, in HashRecord right) =>
        left.Hi < right.Hi || (left.Hi == right.Hi && left.Lo < right.Lo);

    public static bool SameKey(in HashRecord left, in HashRecord right) => left.SameHash(right);

    public static void Combine(ref HashRecord kept, in HashRecord duplicate) => kept.Count = Counts.Add(kept.Count, duplicate.Count);

    public static void Sort(Span<HashRecord> records) => RadixPartitionSort.Sort<HashRecord, HashRecordOrder>(records);

    public static int RadixBucket(in HashRecord record) => (int)(record.Hi >> 112);
}

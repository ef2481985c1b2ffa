using Leakwatch.Storage.Sorting;

namespace Leakwatch.Index;

/// <summary>
/// Identifier keys and row fingerprints: keyed 128-bit hashes, each kept once. They are uniformly distributed,
/// so a buffer is sorted by a radix partition on the top 16 bits.
/// </summary>
public readonly struct KeyOrder : IRecordOrder<UInt128>, IRadixKey<UInt128>
{
    public static bool Precedes(in UInt128 left, in UInt128 right) => left < right;

    public static bool SameKey(in UInt128 left, in UInt128 right) => left == right;

    public static void Combine(ref UInt128 kept, in UInt128 duplicate)
    {
    }

    public static void Sort(Span<UInt128> records) => RadixPartitionSort.Sort<UInt128, KeyOrder>(records);

    public static int RadixBucket(in UInt128 record) => (int)(ulong)(record >> 112);
}

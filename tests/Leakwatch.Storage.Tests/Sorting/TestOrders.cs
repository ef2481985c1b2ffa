using Leakwatch.Storage.Sorting;

namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>128-bit keys kept once, sorted by the radix partition (the exposure index's configuration).</summary>
internal readonly struct UniformKeyOrder : IRecordOrder<UInt128>, IRadixKey<UInt128>
{
    public static bool Precedes(in UInt128 left, in UInt128 right) => left < right;

    public static bool SameKey(in UInt128 left, in UInt128 right) => left == right;

    public static void Combine(ref UInt128 kept, in UInt128 duplicate)
    {
    }

    public static void Sort(Span<UInt128> records) => RadixPartitionSort.Sort<UInt128, UniformKeyOrder>(records);

    public static int RadixBucket(in UInt128 record) => (int)(ulong)(record >> 112);
}

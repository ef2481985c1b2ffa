namespace Leakwatch.Storage.Sorting;

/// <summary>Records whose sort key starts with 16 uniformly distributed bits, so <see cref="RadixPartitionSort"/> can split them evenly.</summary>
public interface IRadixKey<TRecord>
    where TRecord : unmanaged
{
    /// <summary>The top 16 bits of the sort key, 0 to 65,535, in the same order as the full key.</summary>
    static abstract int RadixBucket(in TRecord record);
}

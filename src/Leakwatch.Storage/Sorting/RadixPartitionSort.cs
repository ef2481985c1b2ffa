using System.Buffers;
using System.Runtime.CompilerServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Sorts records with uniformly distributed keys (keyed hashes): one counting pass on the top 16 bits splits n
/// records into 65,536 buckets of ~n/65,536 that a comparison sort finishes in cache, which is close to linear.
/// Needs a scratch copy of the input, rented for the duration of the call.
/// </summary>
public static class RadixPartitionSort
{
    private const int Buckets = 1 << 16;

    /// <summary>Below this a plain comparison sort is faster than the two passes.</summary>
    private const int MinimumLength = 4096;

    /// <summary>Buckets up to this size (nearly all: a bucket holds n/65,536 records on average) are sorted here by
    /// insertion, in code compiled optimized from the start, rather than by the library's generic sort, whose
    /// instantiation for these record types starts unoptimized and runs so for much of a short ingest.</summary>
    private const int SmallBucket = 48;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InsertionSort<TRecord>(Span<TRecord> records)
        where TRecord : unmanaged, IComparable<TRecord>
    {
        for (var i = 1; i < records.Length; i++)
        {
            var r = records[i];
            var j = i - 1;
            while (j >= 0 && records[j].CompareTo(r) > 0)
            {
                records[j + 1] = records[j];
                j--;
            }

            records[j + 1] = r;
        }
    }

    /// <summary>Sorts in the records' own <see cref="IComparable{T}"/> order, which the radix bucket must agree with.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sort<TRecord, TKey>(Span<TRecord> records)
        where TRecord : unmanaged, IComparable<TRecord>
        where TKey : IRadixKey<TRecord>
    {
        if (records.Length < MinimumLength)
        {
            records.Sort();
            return;
        }

        var counts = ArrayPool<int>.Shared.Rent(Buckets + 1);
        var cursor = ArrayPool<int>.Shared.Rent(Buckets);
        var scratch = ArrayPool<TRecord>.Shared.Rent(records.Length);
        LargeBuffers.Advise(scratch);
        try
        {
            Array.Clear(counts, 0, Buckets + 1);
            foreach (ref readonly var r in records)
            {
                counts[TKey.RadixBucket(in r) + 1]++;
            }

            for (var b = 0; b < Buckets; b++)
            {
                counts[b + 1] += counts[b];
            }

            // counts[b] is now where bucket b starts; scatter, advancing one cursor per bucket.
            Array.Copy(counts, cursor, Buckets);
            foreach (ref readonly var r in records)
            {
                scratch[cursor[TKey.RadixBucket(in r)]++] = r;
            }

            var sorted = scratch.AsSpan(0, records.Length);
            for (var b = 0; b < Buckets; b++)
            {
                var from = counts[b];
                var to = counts[b + 1];
                if (to - from > SmallBucket)
                {
                    sorted[from..to].Sort();
                }
                else if (to - from > 1)
                {
                    InsertionSort(sorted[from..to]);
                }
            }

            sorted.CopyTo(records);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
            ArrayPool<int>.Shared.Return(cursor);
            ArrayPool<TRecord>.Shared.Return(scratch);
        }
    }
}

using System.Buffers;

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

    /// <summary>Sorts in the records' own <see cref="IComparable{T}"/> order, which the radix bucket must agree with.</summary>
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
                if (to - from > 1)
                {
                    sorted[from..to].Sort();
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

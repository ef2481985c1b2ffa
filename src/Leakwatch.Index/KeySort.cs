using System.Buffers;

namespace Leakwatch.Index;

/// <summary>
/// Sorts 128-bit keyed hashes. They are uniformly distributed, so one counting pass on the top 16 bits
/// splits n keys into 65,536 buckets of ~n/65,536 that a comparison sort finishes in cache: close to linear.
/// </summary>
public static class KeySort
{
    private const int RadixBits = 16;
    private const int Buckets = 1 << RadixBits;

    /// <summary>Sorts in place and removes duplicates; returns the unique count.</summary>
    public static int SortUnique(Span<UInt128> values)
    {
        if (values.Length < 4096)
        {
            values.Sort();
        }
        else
        {
            RadixPartitionSort(values);
        }

        var unique = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (unique == 0 || values[i] != values[unique - 1])
            {
                values[unique++] = values[i];
            }
        }

        return unique;
    }

    private static void RadixPartitionSort(Span<UInt128> values)
    {
        var counts = ArrayPool<int>.Shared.Rent(Buckets + 1);
        var temp = ArrayPool<UInt128>.Shared.Rent(values.Length);
        try
        {
            Array.Clear(counts, 0, Buckets + 1);
            foreach (var v in values)
            {
                counts[Top(v) + 1]++;
            }

            for (var b = 0; b < Buckets; b++)
            {
                counts[b + 1] += counts[b];
            }

            // counts[b] is now the start of bucket b; scatter, advancing a cursor per bucket.
            var cursor = ArrayPool<int>.Shared.Rent(Buckets);
            try
            {
                Array.Copy(counts, cursor, Buckets);
                foreach (var v in values)
                {
                    temp[cursor[Top(v)]++] = v;
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(cursor);
            }

            var sorted = temp.AsSpan(0, values.Length);
            for (var b = 0; b < Buckets; b++)
            {
                var from = counts[b];
                var to = counts[b + 1];
                if (to - from > 1)
                {
                    sorted[from..to].Sort();
                }
            }

            sorted.CopyTo(values);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
            ArrayPool<UInt128>.Shared.Return(temp);
        }
    }

    private static int Top(UInt128 v) => (int)(ulong)(v >> (128 - RadixBits));
}

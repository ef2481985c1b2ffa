using System.Runtime.CompilerServices;

namespace Leakwatch.Ingest.Stealer;

/// <summary>
/// Lays out the login references of a paged store in the order <see cref="StealerPagedStoreBuilder.Write"/> takes
/// them: (tag, worker, index) ascending, each record the tag (high 64 bits) || <c>worker &lt;&lt; 40 | index</c>.
/// A store has few tags (thousands of websites, fewer email domains) for millions of logins, and the references come
/// already ascending, so one stable counting pass by tag gives the sorted order with no comparison sort and no scratch
/// copy of the records.
/// </summary>
internal static class StealerTagGroups
{
    /// <param name="tagOfBucket">Each bucket's tag (a website id's, or an email domain's); two buckets may share one.</param>
    /// <param name="bucketOf">Per worker, each login's bucket.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static UInt128[] Order(ulong[] tagOfBucket, IReadOnlyList<int[]> bucketOf, IReadOnlyList<int> loginCounts)
    {
        // Buckets by tag: equal tags share one slot, so their logins interleave by reference as a sort would.
        var byTag = new int[tagOfBucket.Length];
        var tags = (ulong[])tagOfBucket.Clone();
        for (var b = 0; b < byTag.Length; b++)
        {
            byTag[b] = b;
        }

        Array.Sort(tags, byTag);
        var slotOf = new int[tagOfBucket.Length];
        var slotTags = new ulong[tagOfBucket.Length];
        var slots = 0;
        for (var r = 0; r < byTag.Length; r++)
        {
            if (r == 0 || tags[r] != tags[r - 1])
            {
                slotTags[slots++] = tags[r];
            }

            slotOf[byTag[r]] = slots - 1;
        }

        var starts = new int[slots + 1];
        var total = 0;
        for (var w = 0; w < bucketOf.Count; w++)
        {
            var buckets = bucketOf[w].AsSpan(0, loginCounts[w]);
            foreach (var b in buckets)
            {
                starts[slotOf[b] + 1]++;
            }

            total += buckets.Length;
        }

        for (var s = 0; s < slots; s++)
        {
            starts[s + 1] += starts[s];
        }

        var records = Storage.Sorting.LargeBuffers.Allocate<UInt128>(total);
        for (var w = 0; w < bucketOf.Count; w++)
        {
            var buckets = bucketOf[w].AsSpan(0, loginCounts[w]);
            var high = (ulong)w << 40;
            for (var i = 0; i < buckets.Length; i++)
            {
                var slot = slotOf[buckets[i]];
                records[starts[slot]++] = new UInt128(slotTags[slot], high | (uint)i);
            }
        }

        return records;
    }
}

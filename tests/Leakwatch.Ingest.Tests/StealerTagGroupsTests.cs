using Leakwatch.Ingest.Stealer;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// The counting pass that lays out a paged store's login references must give exactly the records a full sort of
/// (tag, worker, index) gives, the order <see cref="StealerPagedStoreBuilder"/> relies on: also when two buckets
/// share a tag (their logins then interleave by reference), when a worker has no logins, and when arrays are longer
/// than their counts.
/// </summary>
public sealed class StealerTagGroupsTests
{
    [Theory]
    [InlineData(1, 1, 50)]
    [InlineData(2, 3, 5000)]
    [InlineData(3, 97, 20000)]
    [InlineData(4, 5003, 30000)]
    public void Order_EqualsAFullSortOfTagAndReference(int seed, int bucketCount, int logins)
    {
        var random = new Random(seed);
        var tags = new ulong[bucketCount];
        for (var b = 0; b < tags.Length; b++)
        {
            tags[b] = (ulong)random.NextInt64();
        }

        if (bucketCount > 2)
        {
            tags[1] = tags[2]; // two buckets, one tag
        }

        var workers = 3;
        var bucketOf = new int[workers][];
        var counts = new int[workers];
        var expected = new List<UInt128>();
        for (var w = 0; w < workers; w++)
        {
            counts[w] = w == 1 ? 0 : random.Next(logins);
            bucketOf[w] = new int[counts[w] + 7]; // longer than its count, as a login arena's array is
            for (var i = 0; i < bucketOf[w].Length; i++)
            {
                bucketOf[w][i] = random.Next(bucketCount);
                if (i < counts[w])
                {
                    expected.Add(new UInt128(tags[bucketOf[w][i]], ((ulong)w << 40) | (uint)i));
                }
            }
        }

        expected.Sort();
        Assert.Equal(expected, StealerTagGroups.Order(tags, bucketOf, counts));
    }
}

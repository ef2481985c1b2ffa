namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>
/// The radix partition sorts exactly as a plain sort: uniform keys (tiny buckets, sorted by insertion), keys whose
/// top bits take few values (large buckets, sorted by the library's sort), duplicates, and sizes either side of the
/// length below which it does not partition at all.
/// </summary>
public sealed class RadixPartitionSortTests
{
    [Theory]
    [InlineData(1, 100, 0)]
    [InlineData(2, 5000, 0)]
    [InlineData(3, 300_000, 0)]
    [InlineData(4, 200_000, 3)]
    [InlineData(5, 70_000, 12)]
    public void Sort_EqualsAPlainSort(int seed, int length, int topBitsFixed)
    {
        var random = new Random(seed);
        var records = new UInt128[length];
        for (var i = 0; i < records.Length; i++)
        {
            var high = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            var low = (ulong)random.Next(length / 4 + 1); // duplicates
            if (topBitsFixed > 0)
            {
                high &= ulong.MaxValue >> topBitsFixed;
            }

            records[i] = new UInt128(high, low);
        }

        var expected = (UInt128[])records.Clone();
        Array.Sort(expected);
        UniformKeyOrder.Sort(records);
        Assert.Equal(expected, records);
    }
}

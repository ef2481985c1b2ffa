using Leakwatch.Storage.Sorting;

namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>
/// Adding records a span at a time and reserving room up front change nothing a merge streams: the same sorted,
/// combined records as adding them one by one, also when the reserve asks for more than the budget and when the
/// span passes the budget and spills runs on the way.
/// </summary>
public sealed class ExternalSorterReserveTests
{
    [Theory]
    [InlineData(0, 10, 1000)]
    [InlineData(64, 10, 1000)]
    [InlineData(5000, 1000, 3000)]
    [InlineData(7, 300, 50)]
    public void SpanAddsAndReserve_MergeAsSingleAdds(long reserve, int budget, int records)
    {
        using var dir = new TempDir();
        var random = new Random(budget + records);
        var input = new Tally[records];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = new Tally((ulong)random.Next(records / 2 + 1), (ulong)random.Next(1, 100));
        }

        using var single = new ExternalSorter<Tally, TallyOrder>(new TempFileRuns<Tally>(dir.Path, run => $"a-{run}.run"), budget, 4);
        foreach (var r in input)
        {
            single.Add(r);
        }

        using var spans = new ExternalSorter<Tally, TallyOrder>(new TempFileRuns<Tally>(dir.Path, run => $"b-{run}.run"), budget, 4);
        spans.Add(input.AsSpan(0, input.Length / 3));
        spans.Reserve(reserve);
        spans.Add(input.AsSpan(input.Length / 3));

        Assert.Equal(single.Added, spans.Added);
        Assert.Equal(Drain(single), Drain(spans));
    }

    private static List<(ulong, ulong)> Drain(ExternalSorter<Tally, TallyOrder> sorter)
    {
        var result = new List<(ulong, ulong)>();
        using var cursor = sorter.Merge();
        while (cursor.TryNext(out var t))
        {
            result.Add((t.Key, t.Count));
        }

        return result;
    }
}

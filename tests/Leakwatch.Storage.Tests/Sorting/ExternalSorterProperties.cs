using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Storage.Sorting;

namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>
/// For random inputs and budgets small enough to force many runs, the merge equals a full in-memory sort with the
/// combine applied, and no run file outlives the sorter, also when the consumer fails midway.
/// </summary>
public class ExternalSorterProperties
{
    /// <summary>Inputs with plenty of repeats (a small key range), a budget of 1 to 40 records, and 1 to 3 sorters.</summary>
    private sealed record Case(Tally[] Records, int Budget, int Sorters, bool Compact, bool Encrypted);

    private static readonly Gen<Case> Cases =
        from length in Gen.Choose(0, 400)
        from range in Gen.Choose(1, 600)
        from keys in Gen.ArrayOf(Gen.Choose(0, range), length)
        from counts in Gen.ArrayOf(Gen.Choose(1, 1000), length)
        from budget in Gen.Choose(1, 40)
        from sorters in Gen.Choose(1, 3)
        from compact in ArbMap.Default.GeneratorFor<bool>()
        from encrypted in ArbMap.Default.GeneratorFor<bool>()
        select new Case([.. keys.Zip(counts, (k, c) => new Tally((ulong)k, (ulong)c))], budget, sorters, compact, encrypted);

    private static IRunStore<Tally> Store(Case c, string dir, int sorter) => c.Encrypted
        ? new EncryptedTempRuns<Tally>(dir, $"s{sorter}")
        : new TempFileRuns<Tally>(dir, run => $"s{sorter}-{run}.run");

    private static List<ExternalSorter<Tally, TallyOrder>> Fill(Case c, string dir)
    {
        var sorters = new List<ExternalSorter<Tally, TallyOrder>>();
        for (var i = 0; i < c.Sorters; i++)
        {
            sorters.Add(new ExternalSorter<Tally, TallyOrder>(Store(c, dir, i), c.Budget, Math.Max(1, c.Budget / 4), c.Compact));
        }

        for (var i = 0; i < c.Records.Length; i++)
        {
            sorters[i % sorters.Count].Add(c.Records[i]);
        }

        return sorters;
    }

    private static List<(ulong Key, ulong Count)> Expected(Case c) =>
        [.. c.Records.GroupBy(r => r.Key).OrderBy(g => g.Key).Select(g => (g.Key, (ulong)g.Sum(r => (long)r.Count)))];

    private static void DisposeAll(List<ExternalSorter<Tally, TallyOrder>> sorters)
    {
        foreach (var s in sorters)
        {
            s.Dispose();
        }
    }

    [Property(MaxTest = 150)]
    public Property Merge_EqualsInMemorySortWithCombine_AndLeavesNoFile() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            using var dir = new SortScratchDirectory();
            var sorters = Fill(c, dir.Path);
            var got = new List<(ulong, ulong)>();
            long count;
            try
            {
                ExternalSorter<Tally, TallyOrder>.SortBuffers(sorters);
                using var cursor = ExternalSorter<Tally, TallyOrder>.Merge(sorters);
                while (cursor.TryNext(out var t))
                {
                    got.Add((t.Key, t.Count));
                }

                count = cursor.Count;
            }
            finally
            {
                DisposeAll(sorters);
            }

            var expected = Expected(c);
            return got.SequenceEqual(expected) && count == expected.Count && dir.Files().Length == 0;
        });

    [Property(MaxTest = 100)]
    public Property Absorb_ThenMerge_EqualsInMemorySortWithCombine() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            using var dir = new SortScratchDirectory();
            var sorters = Fill(c, dir.Path);
            var got = new List<(ulong, ulong)>();
            try
            {
                for (var i = 1; i < sorters.Count; i++)
                {
                    sorters[0].Absorb(sorters[i]);
                }

                using var cursor = sorters[0].Merge();
                while (cursor.MoveNext())
                {
                    got.Add((cursor.Current.Key, cursor.Current.Count));
                }
            }
            finally
            {
                DisposeAll(sorters);
            }

            return got.SequenceEqual(Expected(c)) && sorters[0].Added == c.Records.Length && dir.Files().Length == 0;
        });

    [Property(MaxTest = 100)]
    public Property ConsumerThrowingMidway_LeavesNoFile() =>
        Prop.ForAll(Cases.ToArbitrary(), Gen.Choose(0, 50).ToArbitrary(), (c, stopAfter) =>
        {
            using var dir = new SortScratchDirectory();
            var thrown = false;
            try
            {
                Consume(c, dir.Path, stopAfter);
            }
            catch (InvalidOperationException)
            {
                thrown = true;
            }

            var distinct = c.Records.Select(r => r.Key).Distinct().Count();
            return thrown == (stopAfter < distinct) && dir.Files().Length == 0;
        });

    private static void Consume(Case c, string dir, int stopAfter)
    {
        var sorters = Fill(c, dir);
        try
        {
            using var cursor = ExternalSorter<Tally, TallyOrder>.Merge(sorters);
            var seen = 0;
            while (cursor.TryNext(out _))
            {
                if (seen++ == stopAfter)
                {
                    throw new InvalidOperationException("consumer failed");
                }
            }
        }
        finally
        {
            DisposeAll(sorters);
        }
    }

    [Property(MaxTest = 30)]
    public Property RadixOrder_EqualsArraySort() =>
        Prop.ForAll(Gen.Choose(0, 20_000).ToArbitrary(), Gen.Choose(1, 70_000).ToArbitrary(), (length, seed) =>
        {
            var rng = new Random(seed);
            var keys = new UInt128[length];
            for (var i = 0; i < keys.Length; i++)
            {
                // Few distinct top bits in some cases, to load single buckets heavily.
                var hi = seed % 3 == 0 ? (ulong)rng.Next(4) << 62 : (ulong)rng.NextInt64();
                keys[i] = new UInt128(hi, (ulong)rng.Next(1000));
            }

            var sorted = (UInt128[])keys.Clone();
            UniformKeyOrder.Sort(sorted);
            Array.Sort(keys);
            return sorted.AsSpan().SequenceEqual(keys);
        });
}

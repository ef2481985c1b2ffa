using Leakwatch.Storage.Sorting;

namespace Leakwatch.Index;

/// <summary>Builds a new index generation from the previous one by a single linear merge.</summary>
public static class ExposureIndexMerger
{
    /// <summary>Progress (and with it cancellation and the test kill points) every 65,536 entries: often enough that
    /// Ctrl-C stops a merge at once, rare enough to cost nothing.</summary>
    private const long ProgressInterval = 0xFFFF;

    /// <summary>Old index ∪ (new keys → breach <paramref name="breachId"/>). Linear in both sizes.</summary>
    public static long MergeAdd(ExposureIndexReader? existing, IKeyStream newKeys, long newKeyCount, int breachId,
        string outputPath, IMergeObserver? observer = null, Action<long>? progress = null)
    {
        var table = new BreachSetTable();
        var oldSets = existing?.Sets ?? [];
        foreach (var set in oldSets)
        {
            // Old ids keep their numbers so old entries can be copied without remapping.
            table.Intern(set);
        }

        var unionOf = new int[oldSets.Count];
        Array.Fill(unionOf, -1);
        var onlyNew = -1;
        var upper = (existing?.EntryCount ?? 0) + newKeyCount;
        using var writer = new ExposureIndexWriter(outputPath, upper, 2L * oldSets.Count + 1);
        var cursor = existing?.OpenCursor();
        UInt128 ek = default;
        var eset = -1;
        var hasE = cursor is not null && cursor.TryNext(out ek, out eset);
        var hasN = newKeys.TryNext(out var nk, out var nclass);
        long written = 0;
        while (hasE || hasN)
        {
            if (hasE && (!hasN || ek < nk))
            {
                writer.Add(ek, eset);
                hasE = cursor!.TryNext(out ek, out eset);
            }
            else if (hasE && ek == nk)
            {
                observer?.OnKey(nk, nclass, oldSets[eset]);
                if (unionOf[eset] < 0)
                {
                    unionOf[eset] = table.Intern(BreachSetTable.With(oldSets[eset], breachId));
                }

                writer.Add(ek, unionOf[eset]);
                hasE = cursor!.TryNext(out ek, out eset);
                hasN = newKeys.TryNext(out nk, out nclass);
            }
            else
            {
                observer?.OnKey(nk, nclass, []);
                if (onlyNew < 0)
                {
                    onlyNew = table.Intern([breachId]);
                }

                writer.Add(nk, onlyNew);
                hasN = newKeys.TryNext(out nk, out nclass);
            }

            if ((++written & ProgressInterval) == 0)
            {
                progress?.Invoke(written);
            }
        }

        writer.Complete(table.Sets);
        return writer.EntryCount;
    }

    /// <summary>Walks the new keys against the index without writing anything: the observer sees, for each
    /// new key, the breaches that already hold it. Same linear merge as <see cref="MergeAdd"/>.</summary>
    public static void Observe(ExposureIndexReader? existing, IKeyStream newKeys, IMergeObserver observer)
    {
        var sets = existing?.Sets ?? [];
        var cursor = existing?.OpenCursor();
        UInt128 ek = default;
        var eset = -1;
        var hasE = cursor is not null && cursor.TryNext(out ek, out eset);
        while (newKeys.TryNext(out var nk, out var nclass))
        {
            while (hasE && ek < nk)
            {
                hasE = cursor!.TryNext(out ek, out eset);
            }

            observer.OnKey(nk, nclass, hasE && ek == nk ? sets[eset] : []);
        }
    }

    /// <summary>Old index without breach <paramref name="breachId"/>; entries left with no breach are dropped.</summary>
    public static long MergeRemove(ExposureIndexReader existing, int breachId, string outputPath, Action<long>? progress = null)
    {
        var table = new BreachSetTable();
        var map = new int[existing.SetCount];
        for (var i = 0; i < existing.SetCount; i++)
        {
            var rest = BreachSetTable.Without(existing.Sets[i], breachId);
            map[i] = rest.Length == 0 ? -1 : table.Intern(rest);
        }

        using var writer = new ExposureIndexWriter(outputPath, existing.EntryCount, existing.SetCount);
        var cursor = existing.OpenCursor();
        long read = 0;
        while (cursor.TryNext(out var key, out var set))
        {
            if (map[set] >= 0)
            {
                writer.Add(key, map[set]);
            }

            if ((++read & ProgressInterval) == 0)
            {
                progress?.Invoke(read);
            }
        }

        writer.Complete(table.Sets);
        return writer.EntryCount;
    }
}

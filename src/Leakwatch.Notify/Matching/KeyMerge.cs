using Leakwatch.Index;

namespace Leakwatch.Notify.Matching;

/// <summary>
/// The matching pass's core: one linear merge of the index (ascending keys) against the watchers (ascending keys),
/// reporting each watcher whose key's breach set holds one of the new breaches. Cost: one sequential read of the
/// index plus the watchers, with no lookup per watcher; a set's new breaches are worked out once per set, not per entry.
/// </summary>
public static class KeyMerge
{
    /// <param name="watchers">Sorted by <see cref="Watcher.Key"/> ascending (ties in any order).</param>
    /// <param name="newBreaches">The breach ids to report; any others in a set are ignored.</param>
    public static void Run(ExposureIndexReader index, IReadOnlyList<Watcher> watchers, IReadOnlyCollection<int> newBreaches,
        Action<MatchHit> hit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(watchers);
        ArgumentNullException.ThrowIfNull(hit);
        if (watchers.Count == 0 || newBreaches.Count == 0)
        {
            return;
        }

        var perSet = NewBreachesPerSet(index.Sets, newBreaches);
        var cursor = index.OpenCursor();
        var w = 0;
        var next = watchers[0].Key;
        long seen = 0;
        while (cursor.TryNext(out var key, out var setId))
        {
            if ((++seen & 0xFFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            if (key < next)
            {
                continue;
            }

            while (w < watchers.Count && watchers[w].Key < key)
            {
                w++;
            }

            if (w == watchers.Count)
            {
                return;
            }

            next = watchers[w].Key;
            if (next != key)
            {
                continue;
            }

            var found = perSet[setId];
            if (found is null)
            {
                continue;
            }

            for (var i = w; i < watchers.Count && watchers[i].Key == key; i++)
            {
                foreach (var breach in found)
                {
                    hit(new MatchHit(i, breach));
                }
            }
        }
    }

    private static int[]?[] NewBreachesPerSet(IReadOnlyList<int[]> sets, IReadOnlyCollection<int> newBreaches)
    {
        var wanted = new HashSet<int>(newBreaches);
        var perSet = new int[]?[sets.Count];
        var found = new List<int>();
        for (var s = 0; s < sets.Count; s++)
        {
            found.Clear();
            foreach (var b in sets[s])
            {
                if (wanted.Contains(b))
                {
                    found.Add(b);
                }
            }

            perSet[s] = found.Count == 0 ? null : [.. found];
        }

        return perSet;
    }
}

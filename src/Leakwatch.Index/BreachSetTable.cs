namespace Leakwatch.Index;

/// <summary>
/// The distinct sets of breach ids that index entries point to. Most identifiers sit in one breach, so an
/// entry stores a small set id rather than a list; sets are shared by every identifier with the same breaches.
/// </summary>
internal sealed class BreachSetTable
{
    private readonly List<int[]> _sets = [];
    private readonly Dictionary<string, int> _byContent = new(StringComparer.Ordinal);

    public IReadOnlyList<int[]> Sets => _sets;

    public int Count => _sets.Count;

    /// <summary>Id of the set with exactly these breach ids (ascending), adding it if new.</summary>
    public int Intern(int[] sortedIds)
    {
        var signature = string.Join(',', sortedIds);
        if (_byContent.TryGetValue(signature, out var id))
        {
            return id;
        }

        id = _sets.Count;
        _sets.Add(sortedIds);
        _byContent.Add(signature, id);
        return id;
    }

    public static int[] With(int[] set, int breachId)
    {
        var result = new int[set.Length + 1];
        var j = 0;
        var inserted = false;
        foreach (var id in set)
        {
            if (!inserted && breachId < id)
            {
                result[j++] = breachId;
                inserted = true;
            }

            result[j++] = id;
        }

        if (!inserted)
        {
            result[j] = breachId;
        }

        return result;
    }

    public static int[] Without(int[] set, int breachId) => Array.FindAll(set, id => id != breachId);
}

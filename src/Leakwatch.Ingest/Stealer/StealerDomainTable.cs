using System.Collections.Concurrent;

namespace Leakwatch.Ingest.Stealer;

/// <summary>The website domains of one stealer-log ingest, each given a small id, so that (email key, domain) pairs
/// sort as one 128-bit integer: the 80-bit key above, the id in the 48 low bits the key leaves zero. Stealer logs
/// repeat a few thousand sites millions of times, so a known domain costs a lookup and no allocation. Lives in
/// memory only: the spilled runs hold ids, never a domain.</summary>
internal sealed class StealerDomainTable
{
    public const long MaxDomains = (1L << 48) - 1;
    private readonly ConcurrentDictionary<string, long> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _domains = [];
    private readonly Lock _add = new();

    public int Count => _domains.Count;

    public long IdOf(ReadOnlySpan<char> domain)
    {
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(domain, out var id))
        {
            return id;
        }

        lock (_add)
        {
            if (lookup.TryGetValue(domain, out id))
            {
                return id;
            }

            var name = domain.ToString();
            id = _domains.Count;
            _domains.Add(name);
            _ids[name] = id;
            return id;
        }
    }

    /// <summary>After reading, when no thread adds any more.</summary>
    public string NameOf(long id) => _domains[(int)id];

    /// <summary>After reading: each id's rank in ordinal order of the names, and the names' UTF-8 bytes by rank,
    /// so a merge sorts and writes an email's domains as small integers and copied bytes.</summary>
    public (int[] RankOfId, byte[][] Utf8ByRank) Ranks()
    {
        var order = new int[_domains.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => string.CompareOrdinal(_domains[a], _domains[b]));
        var rank = new int[order.Length];
        var utf8 = new byte[order.Length][];
        for (var r = 0; r < order.Length; r++)
        {
            rank[order[r]] = r;
            utf8[r] = System.Text.Encoding.UTF8.GetBytes(_domains[order[r]]);
        }

        return (rank, utf8);
    }
}

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
}

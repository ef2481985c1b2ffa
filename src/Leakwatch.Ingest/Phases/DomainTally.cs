using System.Collections.Frozen;

namespace Leakwatch.Ingest.Phases;

/// <summary>One worker's count of the addresses on verified domains (domain alerts): each valid normalized address's
/// domain is looked up by span in the frozen set of verified names (no allocation per row), and the index key of a hit
/// goes into that domain's set, so an address seen twice counts once. Hits are few: only verified domains keep keys.</summary>
internal sealed class DomainTally
{
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _domains;
    private readonly HashSet<UInt128>?[] _keys;

    public DomainTally(FrozenDictionary<string, int> domains)
    {
        _domains = domains.GetAlternateLookup<ReadOnlySpan<char>>();
        _keys = new HashSet<UInt128>?[domains.Count];
    }

    /// <summary>How many addresses this worker looked up.</summary>
    public long Lookups { get; private set; }

    /// <summary>The distinct keys this worker saw on domain <paramref name="index"/>, or null.</summary>
    public HashSet<UInt128>? Keys(int index) => _keys[index];

    /// <param name="email">A normalized address (its domain lower-case ASCII, as verified names are).</param>
    /// <param name="key">Its index key.</param>
    public void Add(ReadOnlySpan<char> email, UInt128 key)
    {
        Lookups++;
        var at = email.LastIndexOf('@');
        if (_domains.TryGetValue(email[(at + 1)..], out var index))
        {
            (_keys[index] ??= []).Add(key);
        }
    }
}

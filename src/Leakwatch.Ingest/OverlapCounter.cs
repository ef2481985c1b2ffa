using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest;

/// <summary>Exact overlap of a dump with every earlier breach, counted during the index merge.</summary>
public sealed class OverlapCounter : IMergeObserver
{
    private readonly Dictionary<int, (long Emails, long Phones)> _byBreach = [];

    public void OnKey(byte keyClass, ReadOnlySpan<int> existingBreaches)
    {
        foreach (var id in existingBreaches)
        {
            _byBreach.TryGetValue(id, out var c);
            _byBreach[id] = keyClass == (byte)IdentifierClass.Email ? (c.Emails + 1, c.Phones) : (c.Emails, c.Phones + 1);
        }
    }

    /// <summary>Identifiers shared with each earlier breach, by breach id.</summary>
    public IReadOnlyDictionary<int, (long Emails, long Phones)> ByBreach => _byBreach;
}

using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest;

/// <summary>Exact overlap of a dump with every earlier breach, counted during the index merge.</summary>
public sealed class OverlapCounter(IReadOnlySet<int>? onlyBreaches = null) : IMergeObserver
{
    private readonly Dictionary<int, (long Emails, long Phones)> _byBreach = [];

    public void OnKey(UInt128 key, byte keyClass, ReadOnlySpan<int> existingBreaches)
    {
        if (onlyBreaches is not null)
        {
            OnKeyFiltered(keyClass, existingBreaches);
            return;
        }

        if (!existingBreaches.IsEmpty)
        {
            if (keyClass == (byte)IdentifierClass.Email)
            {
                SeenBeforeEmails++;
            }
            else
            {
                SeenBeforePhones++;
            }
        }

        foreach (var id in existingBreaches)
        {
            _byBreach.TryGetValue(id, out var c);
            _byBreach[id] = keyClass == (byte)IdentifierClass.Email ? (c.Emails + 1, c.Phones) : (c.Emails, c.Phones + 1);
        }
    }

    private void OnKeyFiltered(byte keyClass, ReadOnlySpan<int> existingBreaches)
    {
        var any = false;
        foreach (var id in existingBreaches)
        {
            if (onlyBreaches!.Contains(id))
            {
                any = true;
                _byBreach.TryGetValue(id, out var c);
                _byBreach[id] = keyClass == (byte)IdentifierClass.Email ? (c.Emails + 1, c.Phones) : (c.Emails, c.Phones + 1);
            }
        }

        if (any)
        {
            if (keyClass == (byte)IdentifierClass.Email)
            {
                SeenBeforeEmails++;
            }
            else
            {
                SeenBeforePhones++;
            }
        }
    }

    /// <summary>Identifiers already in any earlier breach (each counted once, however many breaches hold it).</summary>
    public long SeenBeforeEmails { get; private set; }

    public long SeenBeforePhones { get; private set; }

    /// <summary>Identifiers shared with each earlier breach, by breach id.</summary>
    public IReadOnlyDictionary<int, (long Emails, long Phones)> ByBreach => _byBreach;
}

using Leakwatch.Index;

namespace Leakwatch.Notify.Matching;

/// <summary>The hits of one matching pass, each once however many ways it was found (the tap's join and the catch-up
/// of what changed since overlap by design): subscriptions per breach, and monitored identifiers grouped per
/// (API key, breach) with their index keys. An identifier its owner hid from public search is left out of what API
/// keys are told, as domain search leaves it out; the owner's own subscription still hears of it.</summary>
internal sealed class PassHits
{
    private readonly HashSet<UInt128> _optedOut = [];
    private readonly HashSet<(long SubscriptionId, int BreachId)> _subscriptions = [];
    private readonly HashSet<(int KeyId, UInt128 Key, int BreachId)> _monitoredSeen = [];
    private readonly Dictionary<(int KeyId, int BreachId), List<byte[]>> _monitored = [];

    public PassHits(List<byte[]> optedOut)
    {
        foreach (var key in optedOut)
        {
            _optedOut.Add(IndexKeys.ReadBigEndian(key));
        }
    }

    public IReadOnlyCollection<(long SubscriptionId, int BreachId)> Subscriptions => _subscriptions;

    public IReadOnlyDictionary<(int KeyId, int BreachId), List<byte[]>> Monitored => _monitored;

    /// <summary>Hits counted (distinct, opted-out monitored ones left out).</summary>
    public int Count { get; private set; }

    public void Add(Watcher watcher, int breachId)
    {
        if (watcher.Kind == WatcherKind.Subscription)
        {
            if (_subscriptions.Add((watcher.TargetId, breachId)))
            {
                Count++;
            }

            return;
        }

        var keyId = (int)watcher.TargetId;
        if (_optedOut.Contains(watcher.Key) || !_monitoredSeen.Add((keyId, watcher.Key, breachId)))
        {
            return;
        }

        Count++;
        if (!_monitored.TryGetValue((keyId, breachId), out var keys))
        {
            _monitored[(keyId, breachId)] = keys = [];
        }

        var bytes = new byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(watcher.Key, bytes);
        keys.Add(bytes);
    }
}

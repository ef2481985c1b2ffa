using System.Diagnostics;
using Leakwatch.Catalog.State;
using Leakwatch.Index;

namespace Leakwatch.Notify.Matching;

/// <summary>
/// Matching on publish: every verified subscription (and monitored identifier) against the breaches published since
/// the last pass, in one linear merge of the index against the watchers' sorted keys (<see cref="KeyMerge"/>), then
/// one outbox row per (watcher, breach) written in one transaction with the progress marker
/// (<see cref="StateStore.Enqueue"/>). Crash-safe by construction: a pass that did not finish moved nothing, so the
/// next pass (the next ingest, or any <c>serve</c> replica noticing the new generation) matches the same breaches again,
/// and a pass that did finish is never duplicated, since each row's dedupe key is (target, breach, event).
/// </summary>
public sealed class NotificationMatcher
{
    private readonly ExposureIndexStore _index;
    private readonly StateStore _state;

    public NotificationMatcher(ExposureIndexStore index, StateStore state)
    {
        _index = index;
        _state = state;
    }

    /// <summary>Matches every published breach with an id above <see cref="StateStore.MatchedThrough"/>.</summary>
    public MatchReport CatchUp(DateTimeOffset now, CancellationToken ct = default)
    {
        var manifest = _index.ReadManifest();
        var through = _state.MatchedThrough();
        var fresh = new List<int>();
        foreach (var id in manifest.Breaches)
        {
            if (id > through)
            {
                fresh.Add(id);
            }
        }

        if (fresh.Count == 0)
        {
            return MatchReport.Nothing;
        }

        var clock = Stopwatch.StartNew();
        var published = PublishTimes(manifest, fresh);
        // Breaches published before someone subscribed are not news to them (the first pass on an install with
        // breaches already published, or a pass catching up after a crash): only subscriptions verified by the newest
        // publish take part. A pass that catches up several publishes at once tells a subscription verified between
        // two of them about both (it is in both).
        var latest = DateTimeOffset.MinValue;
        foreach (var t in published.Values)
        {
            latest = t > latest ? t : latest;
        }

        var watchers = Watchers(latest);
        var load = clock.Elapsed.TotalSeconds;
        var items = new List<OutboxItem>();
        var hits = 0;
        using (var reader = _index.OpenPublished(manifest))
        {
            if (reader is not null)
            {
                KeyMerge.Run(reader, watchers, fresh, hit =>
                {
                    hits++;
                    var w = watchers[hit.Watcher];
                    if (published[hit.BreachId] == DateTimeOffset.MinValue)
                    {
                        return; // removed from the catalogue while the pass ran
                    }

                    if (w.Kind == WatcherKind.Subscription)
                    {
                        items.Add(MailRow(w.TargetId, hit.BreachId));
                    }
                }, ct);
            }
        }

        var merge = clock.Elapsed.TotalSeconds - load;
        var queued = _state.Enqueue(items, Max(fresh), now);
        return new MatchReport(fresh, watchers.Count, hits, queued, load, merge, clock.Elapsed.TotalSeconds - load - merge);
    }

    /// <summary>The outbox row telling subscription <paramref name="subscriptionId"/> it is in breach
    /// <paramref name="breachId"/>: one per pair, whatever number of passes see it.</summary>
    public static OutboxItem MailRow(long subscriptionId, int breachId) => new()
    {
        Dedupe = $"mail:{subscriptionId}:{breachId}:{NotifyEvents.BreachExposed}",
        Channel = OutboxChannel.Mail,
        TargetId = subscriptionId,
        BreachId = breachId,
        Event = NotifyEvents.BreachExposed,
        MessageId = Guid.NewGuid().ToString("N"),
    };

    private List<Watcher> Watchers(DateTimeOffset verifiedBy)
    {
        var keys = new List<UInt128>();
        var watchers = new List<Watcher>();
        var sorted = true;
        _state.ForEachVerifiedSubscription(verifiedBy, (id, key) =>
        {
            var k = IndexKeys.ReadBigEndian(key);
            sorted &= keys.Count == 0 || keys[^1] <= k;
            keys.Add(k);
            watchers.Add(new Watcher(k, WatcherKind.Subscription, id));
        });
        if (!sorted)
        {
            // By the plain keys (the default comparer of UInt128, no delegate per comparison).
            var keyArray = keys.ToArray();
            var watcherArray = watchers.ToArray();
            Array.Sort(keyArray, watcherArray);
            return [.. watcherArray];
        }

        return watchers;
    }

    /// <summary>When each new breach became public: the manifest's publish time for the one it published last (the
    /// usual pass, right after that publish), the catalogue's added date for any earlier one.</summary>
    private Dictionary<int, DateTimeOffset> PublishTimes(Manifest manifest, List<int> fresh)
    {
        var times = new Dictionary<int, DateTimeOffset>();
        foreach (var b in _state.PublishedBreaches(fresh))
        {
            times[b.Id] = b.AddedDate;
        }

        foreach (var id in fresh)
        {
            if (!times.ContainsKey(id))
            {
                // Published in the index but gone from the catalogue (removed mid-pass): nobody is told.
                times[id] = DateTimeOffset.MinValue;
            }
        }

        var last = manifest.Breaches[^1];
        if (times.TryGetValue(last, out var added) && manifest.Published > added)
        {
            times[last] = manifest.Published;
        }

        return times;
    }

    private static int Max(List<int> ids)
    {
        var max = ids[0];
        foreach (var id in ids)
        {
            max = Math.Max(max, id);
        }

        return max;
    }
}

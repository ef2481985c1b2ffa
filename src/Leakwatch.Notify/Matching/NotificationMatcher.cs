using System.Diagnostics;
using Leakwatch.Catalog.Lookup;
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
    private readonly NotifySealing _sealing;

    public NotificationMatcher(ExposureIndexStore index, StateStore state, NotifySealing sealing)
    {
        _index = index;
        _state = state;
        _sealing = sealing;
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
        var monitoredHits = new Dictionary<(int KeyId, int BreachId), List<byte[]>>();
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
                    else
                    {
                        var group = (KeyId: (int)w.TargetId, hit.BreachId);
                        if (!monitoredHits.TryGetValue(group, out var keys))
                        {
                            monitoredHits[group] = keys = [];
                        }

                        var key = new byte[IndexKeys.KeyBytes];
                        IndexKeys.WriteBigEndian(w.Key, key);
                        keys.Add(key);
                    }
                }, ct);
            }
        }

        AddWebhookRows(items, fresh, published, monitoredHits);
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

    /// <summary>The webhook rows of a pass: per (API key, breach) with monitored hits, one <c>breach.exposed</c> row
    /// per active webhook of that key taking the event, its payload the hits' hints (sealed); per new breach, one
    /// <c>breach.published</c> row per active webhook taking that event.</summary>
    private void AddWebhookRows(List<OutboxItem> items, List<int> fresh, Dictionary<int, DateTimeOffset> published,
        Dictionary<(int KeyId, int BreachId), List<byte[]>> monitoredHits)
    {
        var webhooks = new List<Webhook>();
        _state.ForEachActiveWebhook(webhooks.Add);
        if (webhooks.Count == 0)
        {
            return;
        }

        foreach (var ((keyId, breachId), keys) in monitoredHits)
        {
            List<string>? identifiers = null;
            foreach (var hook in webhooks)
            {
                if (hook.KeyId != keyId || !hook.Events.HasFlag(WebhookEvents.BreachExposed))
                {
                    continue;
                }

                identifiers ??= Describe(_state.MonitoredByKeys(keyId, keys));
                var messageId = "msg_" + Guid.NewGuid().ToString("N");
                items.Add(new OutboxItem
                {
                    Dedupe = $"webhook:{hook.Id}:{breachId}:{NotifyEvents.BreachExposed}",
                    Channel = OutboxChannel.Webhook,
                    TargetId = hook.Id,
                    BreachId = breachId,
                    Event = NotifyEvents.BreachExposed,
                    MessageId = messageId,
                    SealedPayload = new MatchPayload(identifiers).Seal(_sealing, messageId),
                });
            }
        }

        foreach (var breachId in fresh)
        {
            if (published[breachId] == DateTimeOffset.MinValue)
            {
                continue;
            }

            foreach (var hook in webhooks)
            {
                if (hook.Events.HasFlag(WebhookEvents.BreachPublished))
                {
                    items.Add(new OutboxItem
                    {
                        Dedupe = $"webhook:{hook.Id}:{breachId}:{NotifyEvents.BreachPublished}",
                        Channel = OutboxChannel.Webhook,
                        TargetId = hook.Id,
                        BreachId = breachId,
                        Event = NotifyEvents.BreachPublished,
                        MessageId = "msg_" + Guid.NewGuid().ToString("N"),
                    });
                }
            }
        }
    }

    /// <summary>What a key's webhook is told of its identifiers that turned up: their kind and hint only (the store
    /// keeps no identifier; the key holds its own list): "email", "phone ending 42".</summary>
    private static List<string> Describe(List<MonitoredIdentifier> rows)
    {
        var list = new List<string>(rows.Count);
        foreach (var row in rows)
        {
            list.Add(row.Kind == (int)AccountKind.Phone
                ? (row.Hint.Length > 0 ? $"phone ending {row.Hint}" : "phone")
                : "email");
        }

        return list;
    }

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
        // An identifier its owner hid from public search is left out of what API keys are told, as domain search
        // leaves it out; the owner's own subscription still hears of it.
        var optedOut = new HashSet<UInt128>();
        foreach (var key in _state.OptOuts())
        {
            optedOut.Add(IndexKeys.ReadBigEndian(key));
        }

        _state.ForEachMonitored((keyId, key, _) =>
        {
            var k = IndexKeys.ReadBigEndian(key);
            if (optedOut.Contains(k))
            {
                return;
            }

            sorted &= keys.Count == 0 || keys[^1] <= k;
            keys.Add(k);
            watchers.Add(new Watcher(k, WatcherKind.Monitored, keyId));
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

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
    public MatchReport CatchUp(DateTimeOffset now, CancellationToken ct = default) => CatchUp(now, null, 0, ct);

    /// <summary>
    /// As <see cref="CatchUp(DateTimeOffset, CancellationToken)"/>, right after the publish of breach
    /// <paramref name="breachId"/> whose merge fed a <see cref="MergeKeyTap"/>: when that breach is the only one not
    /// matched yet, the tap's hits stand in for the pass over the index, and only what changed since the tap read the
    /// watchers is looked up (subscriptions verified and identifiers monitored since, one index lookup each). Anything
    /// else (an earlier breach left unmatched, no tap result) takes the full pass.
    /// </summary>
    public MatchReport CatchUp(DateTimeOffset now, PreparedMatch? prepared, int breachId, CancellationToken ct = default)
    {
        var manifest = _index.ReadManifest();
        var fresh = Unmatched(manifest);
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

        var pass = new PassHits(_state.OptOuts());
        // The subscriptions whose rows the merge wrote ahead (PreparedMatch.Written): not inserted again here.
        HashSet<long>? written = null;
        double load, merge, ahead = 0;
        int watcherCount;
        var inMerge = false;
        using (var reader = _index.OpenPublished(manifest))
        {
            if (prepared is not null && fresh.Count == 1 && fresh[0] == breachId && prepared.Snapshot.TakenAt <= latest)
            {
                var watchers = prepared.Snapshot.Watchers;
                watcherCount = watchers.Count;
                inMerge = true;
                written = AddTapHits(prepared, breachId, pass);
                ahead = prepared.AheadSeconds;

                load = prepared.Snapshot.LoadSeconds;
                if (reader is not null)
                {
                    AddChangedSince(reader, prepared.Snapshot.TakenAt - SnapshotMargin, latest, breachId, pass);
                }

                merge = prepared.JoinSeconds + clock.Elapsed.TotalSeconds;
            }
            else
            {
                var snapshot = TakeSnapshot(latest);
                var watchers = snapshot.Watchers;
                watcherCount = watchers.Count;
                load = clock.Elapsed.TotalSeconds;
                if (reader is not null)
                {
                    KeyMerge.Run(reader, watchers, fresh, hit => pass.Add(watchers[hit.Watcher], hit.BreachId), ct);
                }

                merge = clock.Elapsed.TotalSeconds - load;
            }
        }

        var queueStart = clock.Elapsed.TotalSeconds;
        var items = new List<OutboxItem>(pass.Subscriptions.Count);
        foreach (var (subscriptionId, hitBreach) in pass.Subscriptions)
        {
            if (published[hitBreach] != DateTimeOffset.MinValue && (written is null || !written.Contains(subscriptionId)))
            {
                items.Add(MailRow(subscriptionId, hitBreach));
            }
        }

        AddWebhookRows(items, fresh, published, pass.Monitored);
        // The rows written ahead become deliverable here: the marker moves in the same transaction as the rest.
        var (_, queued) = _state.Release(items, Max(fresh), now);
        return new MatchReport(fresh, watcherCount, pass.Count, queued, load, merge, clock.Elapsed.TotalSeconds - queueStart, inMerge)
        {
            AheadSeconds = ahead,
        };
    }

    /// <summary>The tap's hits into <paramref name="pass"/>; returns the subscriptions whose rows it wrote ahead.</summary>
    private static HashSet<long> AddTapHits(PreparedMatch prepared, int breachId, PassHits pass)
    {
        var watchers = prepared.Snapshot.Watchers;
        var hits = prepared.Hits;
        var written = new HashSet<long>(prepared.Written);
        for (var h = 0; h < hits.Count; h++)
        {
            var watcher = watchers[hits[h]];
            pass.Add(watcher, breachId);
            if (h < prepared.Written && watcher.Kind == WatcherKind.Subscription)
            {
                written.Add(watcher.TargetId);
            }
        }

        return written;
    }

    /// <summary>How far before the tap's read the catch-up looks again: a row stamped just before the read but committed
    /// after it began is in neither otherwise (a hit seen twice is counted once, see <see cref="PassHits"/>).</summary>
    private static readonly TimeSpan SnapshotMargin = TimeSpan.FromMinutes(1);

    /// <summary>Reads the watchers: every subscription verified by <paramref name="verifiedBy"/> and every monitored
    /// identifier, sorted by key, for a merge against a breach's keys.</summary>
    public WatcherSnapshot TakeSnapshot(DateTimeOffset verifiedBy) => TakeSnapshot(_state, verifiedBy);

    /// <inheritdoc cref="TakeSnapshot(DateTimeOffset)"/>
    public static WatcherSnapshot TakeSnapshot(StateStore state, DateTimeOffset verifiedBy)
    {
        ArgumentNullException.ThrowIfNull(state);
        var clock = Stopwatch.StartNew();
        // Both reads come in key order (the store's contract), so the snapshot is one merge of the two, never a sort.
        var subscriptions = new List<Watcher>();
        state.ForEachVerifiedSubscription(verifiedBy, (id, key) =>
            subscriptions.Add(new Watcher(IndexKeys.ReadBigEndian(key), WatcherKind.Subscription, id)));
        var monitored = new List<Watcher>();
        state.ForEachMonitored((keyId, key, _) => monitored.Add(new Watcher(IndexKeys.ReadBigEndian(key), WatcherKind.Monitored, keyId)));
        var all = new Watcher[subscriptions.Count + monitored.Count];
        int s = 0, m = 0;
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = m == monitored.Count || (s < subscriptions.Count && subscriptions[s].Key <= monitored[m].Key)
                ? subscriptions[s++]
                : monitored[m++];
        }

        if (!IsSorted(all))
        {
            // A store that broke its order contract: still right, only slower.
            Array.Sort(all, static (a, b) => a.Key.CompareTo(b.Key));
        }

        return new WatcherSnapshot(all, verifiedBy) { LoadSeconds = clock.Elapsed.TotalSeconds };
    }

    private static bool IsSorted(Watcher[] watchers)
    {
        for (var i = 1; i < watchers.Length; i++)
        {
            if (watchers[i - 1].Key > watchers[i].Key)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The subscriptions verified and identifiers monitored after <paramref name="since"/> (up to the publish
    /// at <paramref name="latest"/>), each looked up in the published index.</summary>
    private void AddChangedSince(ExposureIndexReader reader, DateTimeOffset since, DateTimeOffset latest, int breachId, PassHits pass)
    {
        _state.ForEachVerifiedSubscription(since, latest, (id, key) =>
        {
            var k = IndexKeys.ReadBigEndian(key);
            if (Array.IndexOf(reader.Lookup(k), breachId) >= 0)
            {
                pass.Add(new Watcher(k, WatcherKind.Subscription, id), breachId);
            }
        });
        _state.ForEachMonitored((keyId, key, _) =>
        {
            var k = IndexKeys.ReadBigEndian(key);
            if (Array.IndexOf(reader.Lookup(k), breachId) >= 0)
            {
                pass.Add(new Watcher(k, WatcherKind.Monitored, keyId), breachId);
            }
        }, createdAfter: since);
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
        IReadOnlyDictionary<(int KeyId, int BreachId), List<byte[]>> monitoredHits)
    {
        var webhooks = new List<Webhook>();
        _state.ForEachActiveWebhook(webhooks.Add);
        if (webhooks.Count == 0)
        {
            return;
        }

        foreach (var ((keyId, breachId), keys) in monitoredHits)
        {
            if (published[breachId] == DateTimeOffset.MinValue)
            {
                continue; // removed from the catalogue while the pass ran
            }

            List<string>? identifiers = null;
            foreach (var hook in webhooks)
            {
                if (hook.KeyId != keyId || !hook.Events.HasFlag(WebhookEvents.BreachExposed))
                {
                    continue;
                }

                identifiers ??= Describe(_state.MonitoredByKeys(keyId, keys));
                if (identifiers.Count == 0)
                {
                    break; // the key stopped monitoring them while the pass ran
                }

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

    /// <summary>The published breaches no pass has matched yet.</summary>
    private List<int> Unmatched(Manifest manifest)
    {
        var through = _state.MatchedThrough();
        var fresh = new List<int>();
        foreach (var id in manifest.Breaches)
        {
            if (id > through)
            {
                fresh.Add(id);
            }
        }

        return fresh;
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

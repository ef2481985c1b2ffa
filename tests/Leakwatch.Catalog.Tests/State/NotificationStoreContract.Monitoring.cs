using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>Monitored identifiers and webhooks of API keys (issue 15, organisations), on each engine.</summary>
public abstract partial class NotificationStoreContract
{
    private static List<(byte[] MatchKey, int Kind, string Hint)> Identifiers(int count)
    {
        var list = new List<(byte[], int, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var key = Bytes(10);
            key[0] = (byte)(i * 37 % 256); // high and low first bytes: a signed comparison would misorder them
            list.Add((key, 1 + i % 2, i % 2 == 0 ? "" : (i % 100).ToString("00", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return list;
    }

    [Fact]
    public void AddMonitored_AcrossSeveralBatches_StoresEachKeyOnce_AndCountsOnlyNewOnes()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var revision = store.RevisionCounter();
        var items = Identifiers(1_234); // two full batches of 500 and a tail
        var first = store.AddMonitored(7, items, T0);
        Assert.Equal(new MonitorAddResult(1_234, 1_234, false), first);

        // Again, with 10 new ones and a duplicate inside the same upload: only the 10 are new.
        var more = Identifiers(10);
        var again = new List<(byte[] MatchKey, int Kind, string Hint)>(items) { more[0] };
        again.AddRange(more);
        Assert.Equal(new MonitorAddResult(10, 1_244, false), store.AddMonitored(7, again, T0.AddHours(1)));
        Assert.Equal(1_244, store.CountMonitored(7));
        Assert.Equal(0, store.CountMonitored(8));
        Assert.Equal(revision, store.RevisionCounter()); // not part of what replicas reload

        var page = store.ListMonitored(7, offset: 0, max: 2_000);
        Assert.Equal(1_244, page.Count);
        for (var i = 1; i < page.Count; i++)
        {
            Assert.True(page[i - 1].MatchKey.AsSpan().SequenceCompareTo(page[i].MatchKey) < 0);
        }

        var byKey = items.Concat(more).ToDictionary(x => Convert.ToHexString(x.MatchKey));
        foreach (var row in page)
        {
            var sent = byKey[Convert.ToHexString(row.MatchKey)];
            Assert.Equal(sent.Kind, row.Kind);
            Assert.Equal(sent.Hint, row.Hint);
        }

        Assert.Equal(page.Skip(1_200).Select(r => r.MatchKey), store.ListMonitored(7, offset: 1_200, max: 100).Select(r => r.MatchKey));
    }

    [Fact]
    public void AddMonitored_PastTheKeysLimit_StoresNothingOfThatUpload()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var items = Identifiers(600);
        Assert.Equal(new MonitorAddResult(600, 600, false), store.AddMonitored(3, items.Take(600).ToList(), T0, limit: 1_000));
        var next = Identifiers(401);
        var refused = store.AddMonitored(3, next, T0, limit: 1_000);
        Assert.Equal(new MonitorAddResult(0, 600, true), refused);
        Assert.Equal(600, store.CountMonitored(3));
        // Re-sending what is already there does not count twice against the limit.
        Assert.Equal(new MonitorAddResult(400, 1_000, false), store.AddMonitored(3, [.. items, .. next.Take(400)], T0, limit: 1_000));
    }

    [Fact]
    public void AddMonitored_WithReplace_SwapsTheKeysWholeSet_AndPastTheLimitKeepsTheOldOne()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var old = Identifiers(30);
        store.AddMonitored(4, old, T0);
        store.AddMonitored(5, Identifiers(3), T0);
        var fresh = Identifiers(40);
        fresh.Add(old[0]); // kept across the replacement

        Assert.Equal(new MonitorAddResult(0, 30, true), store.AddMonitored(4, fresh, T0, limit: 40, replace: true));
        Assert.Equal(old.Select(x => Convert.ToHexString(x.MatchKey)).Order(), store.ListMonitored(4, 0, 100).Select(x => Convert.ToHexString(x.MatchKey)).Order());

        Assert.Equal(new MonitorAddResult(41, 41, false), store.AddMonitored(4, fresh, T0, limit: 41, replace: true));
        Assert.Equal(fresh.Select(x => Convert.ToHexString(x.MatchKey)).Order(), store.ListMonitored(4, 0, 100).Select(x => Convert.ToHexString(x.MatchKey)).Order());
        Assert.Equal(3, store.CountMonitored(5));
    }

    [Fact]
    public void ForEachMonitored_ComesInBytewiseKeyOrder_AcrossKeys_AndRemovalIsPerKey()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var a = Identifiers(40);
        var b = Identifiers(30);
        b.Add(a[5]); // the same identifier monitored by two keys
        store.AddMonitored(1, a, T0);
        store.AddMonitored(2, b, T0);

        var seen = new List<(int Key, byte[] MatchKey, int Kind)>();
        store.ForEachMonitored((key, matchKey, kind) => seen.Add((key, matchKey, kind)));
        var expected = a.Select(x => (Key: 1, x.MatchKey, x.Kind)).Concat(b.Select(x => (Key: 2, x.MatchKey, x.Kind))).ToList();
        expected.Sort((x, y) => x.MatchKey.AsSpan().SequenceCompareTo(y.MatchKey) is var c && c != 0 ? c : x.Key.CompareTo(y.Key));
        Assert.Equal(expected.Select(x => (x.Key, Convert.ToHexString(x.MatchKey), x.Kind)), seen.Select(x => (x.Key, Convert.ToHexString(x.MatchKey), x.Kind)));

        var found = store.MonitoredByKeys(2, [a[5].MatchKey, a[7].MatchKey, b[3].MatchKey]);
        Assert.Equal(new[] { a[5], b[3] }.Select(x => (Convert.ToHexString(x.MatchKey), x.Kind, x.Hint)).Order(),
            found.Select(x => (Convert.ToHexString(x.MatchKey), x.Kind, x.Hint)).Order());

        Assert.Equal(2, store.RemoveMonitored(1, [a[5].MatchKey, a[6].MatchKey, Bytes(10)]));
        Assert.Equal(38, store.CountMonitored(1));
        Assert.Equal(31, store.CountMonitored(2)); // key 2 still monitors a[5]
        Assert.Equal(31, store.RemoveMonitored(2, null));
        Assert.Equal(0, store.CountMonitored(2));
        Assert.Equal(38, store.CountMonitored(1));
    }

    [Fact]
    public void Webhooks_BelongToTheirKey_AreLimited_AndDisablingStopsThemForGood()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var revision = store.RevisionCounter();
        var id1 = store.AddWebhook(1, "https://hooks.example/a", [1, 2, 3], WebhookEvents.BreachExposed | WebhookEvents.BreachPublished, T0, limit: 2);
        var id2 = store.AddWebhook(1, "https://hooks.example/b", [4], WebhookEvents.BreachPublished, T0.AddMinutes(1), limit: 2);
        Assert.NotNull(id1);
        Assert.NotNull(id2);
        Assert.Null(store.AddWebhook(1, "https://hooks.example/c", [5], WebhookEvents.BreachPublished, T0, limit: 2));
        var other = store.AddWebhook(2, "https://other.example/", [6], WebhookEvents.BreachExposed, T0, limit: 2)!.Value;

        var listed = store.ListWebhooks(1);
        Assert.Equal([id1.Value, id2.Value], listed.Select(w => w.Id));
        byte[] none = [];
        Assert.Equal(new Webhook(id1.Value, 1, "https://hooks.example/a", none, WebhookEvents.BreachExposed | WebhookEvents.BreachPublished, T0, null, null),
            listed[0] with { SealedSecret = none });
        Assert.Equal(new byte[] { 1, 2, 3 }, listed[0].SealedSecret);
        Assert.Equal("https://other.example/", store.WebhookById(other)!.Url);

        Assert.True(store.DisableWebhook(id1.Value, "410 Gone", T0.AddHours(1)));
        Assert.False(store.DisableWebhook(id1.Value, "later", T0.AddHours(2)));
        var disabled = store.WebhookById(id1.Value)!;
        Assert.False(disabled.IsActive);
        Assert.Equal(T0.AddHours(1), disabled.Disabled);
        Assert.Equal("410 Gone", disabled.DisabledReason);
        var active = new List<long>();
        store.ForEachActiveWebhook(w => active.Add(w.Id));
        Assert.Equal([id2.Value, other], active);

        // Another key cannot delete it; deleting takes its outbox rows along.
        store.Enqueue([Item(other, 5) with { Channel = OutboxChannel.Webhook, Dedupe = "w:" + other }, Item(other, 5)], matchedThrough: 5, T0);
        Assert.False(store.DeleteWebhook(1, other));
        Assert.True(store.DeleteWebhook(2, other));
        Assert.Null(store.WebhookById(other));
        Assert.Equal(1, store.OutboxStatus().Pending); // the mail row with the same target id stays
        Assert.False(store.DeleteWebhook(2, other));
        Assert.Equal(revision, store.RevisionCounter());
    }
}

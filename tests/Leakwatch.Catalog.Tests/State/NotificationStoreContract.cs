using System.Security.Cryptography;
using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The notification tables (issue 15) on each engine: subscriptions, opt-outs, the outbox and its progress.</summary>
public abstract partial class NotificationStoreContract : SubscriberStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static byte[] Bytes(int n) => RandomNumberGenerator.GetBytes(n);

    private static OutboxItem Item(long target, int breach, string evt = "breach.matched") => new()
    {
        Dedupe = $"m:{target}:b:{breach}:{evt}",
        Channel = OutboxChannel.Mail,
        TargetId = target,
        BreachId = breach,
        Event = evt,
        MessageId = $"<{target}.{breach}@leakwatch.test>",
        SealedPayload = [1, 2, 3],
    };

    [Fact]
    public void Subscribe_NewThenAgainWithinTheHour_SendsOnce_AndVerifiesOnceWithinItsDay()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        var revision = store.RevisionCounter();
        var key = Bytes(10);
        var token = Bytes(32);
        Assert.Equal(SubscribeOutcome.SendVerification, store.Subscribe(key, [9, 9], token, Bytes(32), T0, Day, Hour));
        Assert.Equal(SubscribeOutcome.SendNothing, store.Subscribe(key, [9, 9], Bytes(32), Bytes(32), T0.AddMinutes(59), Day, Hour));
        // Past the hour an unverified subscription gets a fresh token, and the first one stops working.
        var second = Bytes(32);
        Assert.Equal(SubscribeOutcome.SendVerification, store.Subscribe(key, [9, 8], second, Bytes(32), T0.AddMinutes(61), Day, Hour));
        Assert.Null(store.VerifySubscription(token, T0.AddMinutes(62)));
        Assert.Null(store.VerifySubscription(second, T0.AddMinutes(61) + Day + TimeSpan.FromSeconds(1)));

        Assert.Equal(SubscribeOutcome.SendNothing, store.Subscribe(key, [9, 8], Bytes(32), Bytes(32), T0.AddMinutes(62), Day, Hour));
        var third = Bytes(32);
        Assert.Equal(SubscribeOutcome.SendVerification, store.Subscribe(key, [9, 7], third, Bytes(32), T0.AddHours(3), Day, Hour));
        var verified = store.VerifySubscription(third, T0.AddHours(4));
        Assert.NotNull(verified);
        Assert.Equal(key, verified.MatchKey);
        Assert.Equal(new byte[] { 9, 7 }, verified.SealedAddress);
        Assert.Equal(T0.AddHours(4), verified.Verified);
        Assert.Null(store.VerifySubscription(third, T0.AddHours(4))); // once

        // Verified: a later subscribe keeps it verified and only reminds.
        Assert.Equal(SubscribeOutcome.SendReminder, store.Subscribe(key, [1], Bytes(32), Bytes(32), T0.AddHours(6), Day, Hour));
        Assert.Equal(T0.AddHours(4), store.SubscriptionById(verified.Id)!.Verified);
        Assert.Equal(1, store.SubscriptionCount());
        Assert.Equal(revision, store.RevisionCounter()); // subscriptions are not part of what replicas reload
    }

    [Fact]
    public void VerifiedSubscriptions_AreAllListed_AndUnverifiedOnesNever()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        var keys = new List<byte[]>();
        for (var i = 0; i < 40; i++)
        {
            var key = Bytes(10);
            key[0] = (byte)(i * 37 % 256); // high and low first bytes: a signed comparison would misorder them
            var token = Bytes(32);
            store.Subscribe(key, [1], token, Bytes(32), T0, Day, Hour);
            if (i % 4 != 0)
            {
                Assert.NotNull(store.VerifySubscription(token, T0));
                keys.Add(key);
            }
        }

        var seen = new List<byte[]>();
        store.ForEachVerifiedSubscription(T0, (_, k) => seen.Add(k.ToArray()));
        keys.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        seen.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        Assert.Equal(keys, seen);
    }

    [Fact]
    public void ImportVerifiedSubscriptions_AddsVerifiedRows_AndLeavesAnExistingOneAsItWas()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        var existing = Bytes(10);
        store.Subscribe(existing, [5], Bytes(32), Bytes(32), T0, Day, Hour);
        var fresh = Bytes(10);
        Assert.Equal(1, store.ImportVerifiedSubscriptions([(existing, [6], Bytes(32)), (fresh, [7], Bytes(32))], T0.AddHours(1)));
        var verified = new List<byte[]>();
        store.ForEachVerifiedSubscription(T0.AddHours(1), (_, k) => verified.Add(k.ToArray()));
        Assert.Equal(fresh, Assert.Single(verified)); // the existing one is still unverified
        var earlier = new List<byte[]>();
        store.ForEachVerifiedSubscription(T0.AddMinutes(59), (_, k) => earlier.Add(k.ToArray()));
        Assert.Empty(earlier); // verified after that moment
        Assert.Equal(2, store.SubscriptionCount());
    }

    [Fact]
    public void Unsubscribe_ErasesTheRowAndItsPendingMail_ByItsTokenOnly()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        var key = Bytes(10);
        var token = Bytes(32);
        var unsubscribe = Bytes(32);
        store.Subscribe(key, [1], token, unsubscribe, T0, Day, Hour);
        var sub = store.VerifySubscription(token, T0)!;
        store.Enqueue([Item(sub.Id, 7)], matchedThrough: 7, T0);
        Assert.Equal(1, store.OutboxStatus().Pending);

        Assert.False(store.Unsubscribe(Bytes(32)));
        Assert.True(store.Unsubscribe(unsubscribe));
        Assert.Null(store.SubscriptionById(sub.Id));
        Assert.Equal(0, store.OutboxStatus().Pending);
        Assert.False(store.Unsubscribe(unsubscribe));
        Assert.False(store.DeleteSubscription(key));
    }

    [Fact]
    public void OptOuts_AreKeptOnce_InKeyOrder()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        byte[] a = [0xF0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        byte[] b = [0x0F, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        Assert.True(store.AddOptOut(a, T0));
        Assert.True(store.AddOptOut(b, T0));
        Assert.False(store.AddOptOut(a, T0.AddDays(1)));
        Assert.Equal([b, a], store.OptOuts());
    }

    [Fact]
    public void Enqueue_RunTwiceForOneGeneration_WritesEachNotificationOnce_AndMovesProgressForwardOnly()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        Assert.Equal(0, store.MatchedThrough());
        Assert.Equal(3, store.Enqueue([Item(1, 4), Item(2, 4), Item(3, 4)], matchedThrough: 4, T0));
        Assert.Equal(1, store.Enqueue([Item(1, 4), Item(2, 4), Item(3, 4), Item(4, 4)], matchedThrough: 4, T0));
        Assert.Equal(4, store.MatchedThrough());
        Assert.Equal(0, store.Enqueue([Item(1, 4)], matchedThrough: 2, T0));
        Assert.Equal(4, store.MatchedThrough());
        Assert.Equal(4, store.OutboxStatus().Pending);
    }

    [Fact]
    public void InsertAhead_RowsWaitForTheMarker_AreReleasedWithIt_AndThoseOfAnUnpublishedBreachAreSwept()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        store.Enqueue([Item(1, 3)], matchedThrough: 3, T0);

        // Breach 5's merge writes its rows ahead of the publish: no claim, listing or count sees them yet.
        Assert.Equal(2, store.InsertAhead([Item(1, 5), Item(2, 5)], T0));
        Assert.Equal(2, store.HeldAhead());
        var claimed = Assert.Single(store.ClaimDue(10, T0, TimeSpan.FromMinutes(1)));
        Assert.Equal(3, claimed.BreachId);
        Assert.Equal(1, store.OutboxStatus().Pending);
        Assert.Single(store.Outbox(OutboxState.Pending, 10));

        // A killed ingest of breach 6 left rows ahead too; the next ingest sweeps them (6 never published), not 5's
        // (published, its pass still to come).
        Assert.Equal(1, store.InsertAhead([Item(1, 6)], T0));
        Assert.Equal(1, store.SweepUnmatched([3, 5]));
        Assert.Equal(2, store.HeldAhead());

        // The pass after 5's publish inserts what it found since (one row again, one new) and moves the marker: all
        // three rows of 5 become deliverable, each once, under the message ids they were written with.
        var (inserted, released) = store.Release([Item(2, 5), Item(3, 5)], matchedThrough: 5, T0);
        Assert.Equal((1, 3), (inserted, released));
        Assert.Equal(0, store.HeldAhead());
        var rows = store.ClaimDue(10, T0.AddMinutes(2), TimeSpan.FromMinutes(1));
        Assert.Equal([1L, 1L, 2L, 3L], rows.Select(r => r.TargetId).Order());
        Assert.Equal(0, store.SweepUnmatched([3, 5]));
    }

    [Fact]
    public void ClaimDue_HandsEachRowToOneWorker_UntilItsLeaseEnds_ThenRetriesDeadLettersAndReplays()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        store.Enqueue([Item(1, 5), Item(2, 5), Item(3, 6)], matchedThrough: 6, T0);

        var first = store.ClaimDue(2, T0, TimeSpan.FromMinutes(1));
        var second = store.ClaimDue(10, T0, TimeSpan.FromMinutes(1));
        Assert.Equal(2, first.Count);
        Assert.Single(second);
        Assert.Empty(store.ClaimDue(10, T0.AddSeconds(30), TimeSpan.FromMinutes(1)));
        Assert.Equal(3, first.Concat(second).Select(i => i.Id).Distinct().Count());

        store.MarkDelivered(first[0].Id, T0.AddSeconds(1));
        store.MarkFailed(first[1].Id, "503 from the receiver", T0.AddMinutes(5), T0.AddSeconds(1));
        store.MarkFailed(second[0].Id, "connection refused", retryAt: null, T0.AddSeconds(1));
        // The worker holding first[1] died: its lease ends, the retry time comes, and another worker gets it.
        Assert.Empty(store.ClaimDue(10, T0.AddMinutes(4), TimeSpan.FromMinutes(1)));
        var again = Assert.Single(store.ClaimDue(10, T0.AddMinutes(5), TimeSpan.FromMinutes(1)));
        Assert.Equal(first[1].Id, again.Id);
        Assert.Equal(1, again.Attempts);
        Assert.Equal("503 from the receiver", again.LastError);
        Assert.Equal(first[1].MessageId, again.MessageId);

        var status = store.OutboxStatus();
        Assert.Equal((1L, 1L, 1L), (status.Pending, status.Delivered, status.Dead));
        Assert.Equal(1, store.RetryDead(null, T0.AddMinutes(6)));
        Assert.Equal(1, store.Replay(5, T0.AddMinutes(6))); // the delivered one; the other of breach 5 is still pending
        Assert.Equal(3, store.OutboxStatus().Pending);
        Assert.Equal(1, store.CancelPending(6, T0.AddMinutes(7)));
        Assert.Equal((2L, 1L), (store.OutboxStatus().Pending, store.OutboxStatus().Cancelled));
    }

    [Fact]
    public void ClaimDue_FromFourWorkersAtOnce_NeverHandsARowOutTwice()
    {
        var location = NewLocation();
        using (var store = StateStore.Open(location, DataDir))
        {
            var items = new List<OutboxItem>();
            for (var i = 0; i < 200; i++)
            {
                items.Add(Item(i, 1));
            }

            store.Enqueue(items, matchedThrough: 1, T0);
        }

        var claimed = new System.Collections.Concurrent.ConcurrentBag<long>();
        Parallel.For(0, 4, _ =>
        {
            using var store = StateStore.Open(location, DataDir);
            while (store.ClaimDue(7, T0, TimeSpan.FromMinutes(5)) is { Count: > 0 } batch)
            {
                foreach (var item in batch)
                {
                    claimed.Add(item.Id);
                }
            }
        });
        Assert.Equal(200, claimed.Count);
        Assert.Equal(200, claimed.Distinct().Count());
    }
}

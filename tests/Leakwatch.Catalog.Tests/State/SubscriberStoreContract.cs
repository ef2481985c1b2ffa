using System.Security.Cryptography;
using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The individual's side of the notification tables on each engine: one verification mail at a time, and
/// opt-out requests redeemed once by their link.</summary>
public abstract class SubscriberStoreContract : StateStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static byte[] Bytes(int n) => RandomNumberGenerator.GetBytes(n);

    private static OutboxItem Verify(long target, string messageId) => new()
    {
        Dedupe = "verify:" + messageId,
        Channel = OutboxChannel.Mail,
        TargetId = target,
        BreachId = 0,
        Event = "subscription.verify",
        MessageId = messageId,
        SealedPayload = [4, 5, 6],
    };

    [Fact]
    public void EnqueueOne_WritesOneRowPerDedupe_AndLeavesTheMatchingProgressAlone()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        Assert.True(store.EnqueueOne(Verify(1, "<a@leakwatch.test>"), T0));
        Assert.Equal(0, store.MatchedThrough()); // a verification mail is no matching pass
        Assert.False(store.EnqueueOne(Verify(1, "<a@leakwatch.test>"), T0));
        Assert.True(store.EnqueueOne(Verify(1, "<b@leakwatch.test>"), T0));
        Assert.Equal(0, store.MatchedThrough());
        var rows = store.Outbox(OutboxState.Pending, 10);
        Assert.Equal(["<a@leakwatch.test>", "<b@leakwatch.test>"], rows.ConvertAll(r => r.MessageId));
        Assert.Equal(new byte[] { 4, 5, 6 }, rows[0].SealedPayload);
        Assert.Equal(T0, rows[0].NextAttempt);
    }

    [Fact]
    public void SubscriptionIdOf_FindsTheRowByIndexKey_OrNull()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var key = Bytes(10);
        var token = Bytes(32);
        Assert.Null(store.SubscriptionIdOf(key));
        store.Subscribe(key, [1], token, Bytes(32), T0, TimeSpan.FromDays(1), TimeSpan.FromHours(1));
        var id = store.SubscriptionIdOf(key);
        Assert.NotNull(id);
        Assert.Equal(id, store.VerifySubscription(token, T0)!.Id);
        Assert.Null(store.SubscriptionIdOf(Bytes(10)));
    }

    [Fact]
    public void OptOutRequest_ConfirmedOnceWithinItsValidity_AddsTheOptOutAndItsPrivateForm()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var revision = store.RevisionCounter();
        var key = Bytes(10);
        var token = Bytes(32);
        var expired = Bytes(32);
        Assert.True(store.AddOptOutRequest(expired, Bytes(10), null, T0, T0.AddHours(1), TimeSpan.FromHours(1)));
        Assert.True(store.AddOptOutRequest(token, key, [7, 7, 7], T0, T0.AddHours(24), TimeSpan.FromHours(1)));
        // Asked again within the hour: nothing new, so the address gets one mail.
        var again = Bytes(32);
        Assert.False(store.AddOptOutRequest(again, key, [7], T0.AddMinutes(59), T0.AddMinutes(59).AddHours(24), TimeSpan.FromHours(1)));
        Assert.False(store.OptOutRequestPending(again, T0.AddMinutes(59)));
        Assert.True(store.OptOutRequestPending(token, T0.AddHours(2)));
        Assert.False(store.OptOutRequestPending(expired, T0.AddHours(2)));
        Assert.False(store.OptOutRequestPending(Bytes(32), T0));
        Assert.Null(store.ConfirmOptOut(expired, T0.AddHours(2)));
        Assert.Empty(store.OptOuts());

        var confirmed = store.ConfirmOptOut(token, T0.AddHours(2));
        Assert.NotNull(confirmed);
        Assert.Equal(key, confirmed.MatchKey);
        Assert.Null(store.ConfirmOptOut(token, T0.AddHours(2))); // once
        Assert.False(store.OptOutRequestPending(token, T0.AddHours(2)));
        Assert.Equal([key], store.OptOuts());
        var record = Assert.Single(store.OptOutRecords());
        Assert.Equal(key, record.MatchKey);
        Assert.Equal(new byte[] { 7, 7, 7 }, record.SealedPrivate);
        Assert.Equal(2, store.OptOutCount());
        Assert.Equal(revision, store.RevisionCounter()); // replicas follow opt-outs by their count, not the revision
    }

    [Fact]
    public void OptOutRecords_ListOptOutsWithoutAPrivateForm_WithNull()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var key = Bytes(10);
        var token = Bytes(32);
        Assert.True(store.AddOptOutRequest(token, key, null, T0, T0.AddHours(24), TimeSpan.FromHours(1)));
        Assert.NotNull(store.ConfirmOptOut(token, T0));
        store.AddOptOut(Bytes(10), T0);
        var records = store.OptOutRecords();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Null(r.SealedPrivate));
        Assert.Equal(2, store.OptOutCount());
    }
}

using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>What the delivery loop and <c>notify status</c> ask of the outbox, on each engine: claims limited to the
/// channels a server can deliver, counts by channel and state, the latest errors.</summary>
public abstract class DeliveryStoreContract : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    protected DeliveryStoreContract() => DataDir = Directory.CreateTempSubdirectory("lw-delivery-").FullName;

    protected string DataDir { get; }

    protected abstract StateLocation NewLocation();

    public void Dispose()
    {
        Directory.Delete(DataDir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static OutboxItem Item(int n, OutboxChannel channel) => new()
    {
        Dedupe = $"row:{n}",
        Channel = channel,
        TargetId = n,
        BreachId = 1,
        Event = "breach.exposed",
        MessageId = $"m{n}",
    };

    [Fact]
    public void ClaimDue_ForSomeChannels_LeavesTheOthersUnclaimed_AndNeverCrowdedOut()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        // Ten webhook rows first: a claim of five for mail must still reach the mail rows behind them.
        var items = Enumerable.Range(0, 10).Select(i => Item(i, OutboxChannel.Webhook)).Concat(Enumerable.Range(10, 3).Select(i => Item(i, OutboxChannel.Mail))).ToList();
        store.Enqueue(items, 1, T0);

        var mail = store.ClaimDue(5, T0, TimeSpan.FromMinutes(1), [OutboxChannel.Mail]);
        Assert.Equal(3, mail.Count);
        Assert.All(mail, r => Assert.Equal(OutboxChannel.Mail, r.Channel));
        Assert.Empty(store.ClaimDue(5, T0, TimeSpan.FromMinutes(1), [OutboxChannel.Mail]));
        Assert.Empty(store.ClaimDue(5, T0, TimeSpan.FromMinutes(1), []));

        var both = store.ClaimDue(100, T0, TimeSpan.FromMinutes(1), [OutboxChannel.Mail, OutboxChannel.Webhook]);
        Assert.Equal(10, both.Count);
        Assert.All(both, r => Assert.Equal(OutboxChannel.Webhook, r.Channel));
    }

    [Fact]
    public void MarkDelivered_AGroupInOneTransaction_MarksOnlyPendingRows_OnceEach()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        store.Enqueue([.. Enumerable.Range(1, 5).Select(i => Item(i, OutboxChannel.Mail))], 1, T0);
        var rows = store.ClaimDue(10, T0, TimeSpan.FromMinutes(1)).OrderBy(r => r.Id).ToList();
        store.MarkFailed(rows[4].Id, "SMTP 550", null, T0);

        // The dead row and a row of the group acknowledged twice (a replica racing) stay as they are.
        Assert.Equal(3, store.MarkDelivered([rows[0].Id, rows[1].Id, rows[2].Id, rows[4].Id], T0.AddSeconds(1)));
        Assert.Equal(0, store.MarkDelivered([rows[0].Id], T0.AddSeconds(2)));
        Assert.Equal(0, store.MarkDelivered([], T0.AddSeconds(2)));
        var status = store.OutboxStatus();
        Assert.Equal((1L, 3L, 1L), (status.Pending, status.Delivered, status.Dead));
        Assert.All(store.Outbox(OutboxState.Delivered, 10), r => Assert.Equal(1, r.Attempts));
    }

    [Fact]
    public void CountsByChannel_AndRecentErrors_NewestFirst_PendingAndDeadOnly()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        store.Enqueue([Item(1, OutboxChannel.Mail), Item(2, OutboxChannel.Mail), Item(3, OutboxChannel.Mail), Item(4, OutboxChannel.Webhook)], 1, T0);
        var rows = store.ClaimDue(10, T0, TimeSpan.FromMinutes(1)).OrderBy(r => r.Id).ToList();
        store.MarkFailed(rows[0].Id, "SMTP 550 first", null, T0);
        store.MarkFailed(rows[1].Id, "SMTP 451 second", T0.AddMinutes(1), T0);
        store.MarkDelivered(rows[2].Id, T0);
        store.MarkDelivered(rows[3].Id, T0);

        var counts = store.OutboxCountsByChannel();
        Assert.Equal(
            [
                new OutboxChannelCount(OutboxChannel.Mail, OutboxState.Pending, 1),
                new OutboxChannelCount(OutboxChannel.Mail, OutboxState.Delivered, 1),
                new OutboxChannelCount(OutboxChannel.Mail, OutboxState.Dead, 1),
                new OutboxChannelCount(OutboxChannel.Webhook, OutboxState.Delivered, 1),
            ],
            counts);

        var errors = store.RecentErrors(10);
        Assert.Equal(["SMTP 451 second", "SMTP 550 first"], errors.Select(e => e.LastError));
        Assert.Equal([OutboxState.Pending, OutboxState.Dead], errors.Select(e => e.State));
        Assert.Single(store.RecentErrors(1));
    }
}

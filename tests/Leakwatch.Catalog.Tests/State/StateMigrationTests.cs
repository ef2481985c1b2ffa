using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Leakwatch.TestSupport;

namespace Leakwatch.Catalog.Tests.State;

/// <summary><c>state migrate</c>: a populated catalog.db moved into a real PostgreSQL, every row equal.</summary>
public sealed class StateMigrationTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("lw-migrate-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private (List<int> Ids, string Secret) Populate()
    {
        using var sqlite = SqliteStateStore.Open(_dataDir);
        var ids = new List<int>();
        for (var i = 1; i <= 5; i++)
        {
            ids.Add(sqlite.InsertBreach(StateStoreContract.Sample("Breach" + i, day: i)));
            sqlite.SetReport(ids[^1], $$"""{"rows":{{i}}}""");
        }

        sqlite.DeleteBreach(ids[4]); // the counter stays at 5: id 5 must never be handed out again
        ids.RemoveAt(4);
        var (first, secret) = sqlite.CreateKey("first", 5, DateTimeOffset.UtcNow);
        sqlite.CreateKey("second", 600, DateTimeOffset.UtcNow);
        sqlite.RevokeKey(first.Id, DateTimeOffset.UtcNow.AddSeconds(1));

        // Notification rows: two subscriptions (one verified), an opt-out, two outbox rows (one delivered): 5, and progress.
        var now = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero).AddTicks(1230);
        byte[] token = [.. Enumerable.Repeat((byte)7, 32)];
        sqlite.Subscribe([.. Enumerable.Repeat((byte)1, 10)], [0xAA, 0xBB], token, [.. Enumerable.Repeat((byte)8, 32)], now, TimeSpan.FromDays(1), TimeSpan.FromHours(1));
        sqlite.Subscribe([.. Enumerable.Repeat((byte)2, 10)], [0xCC], [.. Enumerable.Repeat((byte)9, 32)], [.. Enumerable.Repeat((byte)10, 32)], now, TimeSpan.FromDays(1), TimeSpan.FromHours(1));
        var verified = sqlite.VerifySubscription(token, now.AddMinutes(1))!;
        sqlite.AddOptOut([.. Enumerable.Repeat((byte)3, 10)], now);
        OutboxItem Item(int breach) => new()
        {
            Dedupe = $"m:{verified.Id}:{breach}",
            Channel = OutboxChannel.Mail,
            TargetId = verified.Id,
            BreachId = breach,
            Event = "breach.matched",
            MessageId = $"<{breach}@test>",
            SealedPayload = [1],
        };
        sqlite.Enqueue([Item(ids[0]), Item(ids[1])], matchedThrough: 3, now);
        sqlite.MarkDelivered(sqlite.ClaimDue(1, now, TimeSpan.FromMinutes(1))[0].Id, now.AddSeconds(2));
        return (ids, secret);
    }

    [Fact]
    public void Run_APopulatedInstall_CopiesEveryRowIdAndCounter_AndVerifies()
    {
        var (ids, secret) = Populate();
        var target = StateLocation.Parse(fixture.Server.CreateDatabase("migrate"));

        var result = StateMigration.Run(_dataDir, target, replace: false);

        Assert.Equal(result.Source, result.Target);
        Assert.Equal((4, 4, 2, 1, 5), (result.Target.Breaches, result.Target.Reports, result.Target.Keys, result.Target.RevokedKeys, result.Target.LastBreachId));
        using var sqlite = SqliteStateStore.OpenReadOnly(_dataDir)!;
        using var pg = StateStore.Open(target, _dataDir);
        Assert.Equal(PublishedBreachSnapshot.Encode(0, sqlite.AllBreaches()), PublishedBreachSnapshot.Encode(0, pg.AllBreaches()));
        Assert.Equal(sqlite.AllReports(), pg.AllReports());
        Assert.Equal(sqlite.Keys().Select(k => (k.Id, k.Name, Convert.ToHexString(k.Hash), k.Rpm, k.Created, k.Revoked)),
            pg.Keys().Select(k => (k.Id, k.Name, Convert.ToHexString(k.Hash), k.Rpm, k.Created, k.Revoked)));
        Assert.Equal(ApiKeySecret.Hash(secret), pg.Keys()[0].Hash);
        Assert.Equal(ids, pg.PublishedBreaches(ids).Select(b => b.Id).Order());
        Assert.Equal(6, pg.InsertBreach(StateStoreContract.Sample("AfterMigration")));

        Assert.Equal(sqlite.NotificationDigest(), pg.NotificationDigest());
        Assert.Equal(5, pg.NotificationDigest().Rows);
        Assert.Equal(3, pg.MatchedThrough());
        Assert.Equal((1L, 1L), (pg.OutboxStatus().Pending, pg.OutboxStatus().Delivered));
        var ids2 = new List<long>();
        pg.ForEachVerifiedSubscription(DateTimeOffset.MaxValue, (id, _) => ids2.Add(id));
        Assert.Single(ids2);
        // A subscription made after the move gets an id past the copied ones.
        byte[] next = [.. Enumerable.Repeat((byte)5, 32)];
        pg.Subscribe([.. Enumerable.Repeat((byte)4, 10)], [1], next, [.. Enumerable.Repeat((byte)6, 32)], DateTimeOffset.UtcNow, TimeSpan.FromDays(1), TimeSpan.FromHours(1));
        Assert.Equal(3, pg.VerifySubscription(next, DateTimeOffset.UtcNow)!.Id);
    }

    [Fact]
    public void Run_IntoAStoreThatHoldsState_IsRefused_UnlessReplacing()
    {
        Populate();
        var target = StateLocation.Parse(fixture.Server.CreateDatabase("taken"));
        using (var pg = StateStore.Open(target, _dataDir))
        {
            pg.InsertBreach(StateStoreContract.Sample("AlreadyThere"));
        }

        var e = Assert.Throws<LeakwatchException>(() => StateMigration.Run(_dataDir, target, replace: false));
        Assert.Contains("already holds state", e.Message, StringComparison.Ordinal);
        using (var pg = StateStore.Open(target, _dataDir))
        {
            Assert.Equal(["AlreadyThere"], pg.AllBreaches().Select(b => b.Name));
        }

        var replaced = StateMigration.Run(_dataDir, target, replace: true);
        Assert.True(replaced.Replaced);
        Assert.Equal(replaced.Source, replaced.Target);
    }

    [Fact]
    public void Run_CopiesDomainClaimsAndMailedLinks_AsTheyAre()
    {
        var now = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        int keyId;
        using (var sqlite = SqliteStateStore.Open(_dataDir))
        {
            keyId = sqlite.CreateKey("org", 60, now).Key.Id;
            sqlite.AddDomain(keyId, "example.com", [1, 2, 3], now);
            sqlite.MarkDomainVerified(keyId, "example.com", "dns", now.AddMinutes(1));
            sqlite.AddDomain(keyId, "example.org", [4, 5, 6], now);
            Assert.True(sqlite.AddDomainMailToken([7, 8, 9], keyId, "example.org", now, now.AddHours(24), TimeSpan.FromMinutes(10), sealedAddress: [0xAA, 0xBB]));
        }

        var target = StateLocation.Parse(fixture.Server.CreateDatabase("migrate"));
        StateMigration.Run(_dataDir, target, replace: false);
        using var pg = StateStore.Open(target, _dataDir);
        Assert.Equal(
            [new OwnedDomain(keyId, "org", "example.com", now, now.AddMinutes(1), "dns"), new OwnedDomain(keyId, "org", "example.org", now, null, null)],
            pg.Domains());
        Assert.Equal(new byte[] { 4, 5, 6 }, pg.DomainTokenHash(keyId, "example.org"));
        Assert.Equal("email", pg.ConfirmDomainMailToken([7, 8, 9], now.AddHours(1))?.Method);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, pg.DomainAlertAddress(keyId, "example.org")); // domain alerts
    }
}

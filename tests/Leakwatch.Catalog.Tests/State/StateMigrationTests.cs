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
}

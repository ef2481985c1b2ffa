using Leakwatch.Catalog.State;
using Leakwatch.Core;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>What every state store does, whichever engine holds it: run once per engine by the subclasses.</summary>
public abstract class StateStoreContract : IDisposable
{
    protected StateStoreContract() => DataDir = Directory.CreateTempSubdirectory("lw-state-").FullName;

    protected string DataDir { get; }

    /// <summary>A fresh, empty store of the engine under test.</summary>
    protected abstract StateLocation NewLocation();

    public void Dispose()
    {
        Directory.Delete(DataDir, recursive: true);
        GC.SuppressFinalize(this);
    }

    internal static Breach Sample(string name, int day = 1) => new()
    {
        Name = name,
        Title = name + " title",
        Domain = name.ToLowerInvariant() + ".example",
        BreachDate = new DateOnly(2020, 1, day),
        AddedDate = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234567),
        ModifiedDate = new DateTimeOffset(2024, 5, 6, 7, 8, 10, TimeSpan.Zero),
        PwnCount = 12_345_678_901,
        Description = "a <b>described</b> breach",
        LogoPath = "logo.png",
        DataClasses = ["Email addresses", "Passwords"],
        IsVerified = true,
        IsSensitive = day % 2 == 0,
        IsStealerLog = true,
        StatsJson = """{"rows":3}""",
    };

    [Fact]
    public void InsertBreach_AfterTheHighestIsDeleted_NeverReusesItsId()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var a = store.InsertBreach(Sample("A"));
        var b = store.InsertBreach(Sample("B"));
        store.DeleteBreach(b);
        store.DeleteBreach(a);
        var c = store.InsertBreach(Sample("C"));

        Assert.Equal([1, 2, 3], new[] { a, b, c });
        Assert.Equal(3, store.LastBreachId());
        Assert.Equal(["C"], store.AllBreaches().Select(x => x.Name));
    }

    [Fact]
    public void Breaches_RoundTrip_EveryField_AndOnlyPublishedIdsAreShown()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var id1 = store.InsertBreach(Sample("Later", day: 9));
        var id2 = store.InsertBreach(Sample("Earlier", day: 2));
        store.InsertBreach(Sample("Unpublished", day: 3));

        var expected = Sample("Later", day: 9) with { Id = id1, AddedDate = StateStore.Microseconds(Sample("Later").AddedDate) };
        Assert.Equal(PublishedBreachSnapshot.Encode(0, [expected]), PublishedBreachSnapshot.Encode(0, [store.AllBreaches()[0]]));
        Assert.Equal(["Earlier", "Later"], store.PublishedBreaches([id1, id2]).Select(b => b.Name));

        store.UpdateBreach(store.AllBreaches()[0] with { IsSensitive = true, Title = "Retitled" });
        var updated = store.AllBreaches()[0];
        Assert.True(updated.IsSensitive);
        Assert.Equal("Retitled", updated.Title);

        Assert.Equal(1, store.DeleteUnpublished([id1, id2]));
        Assert.Equal(2, store.AllBreaches().Count);
    }

    [Fact]
    public void InsertBreach_WithANameThatDiffersOnlyInCase_IsRefused()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        store.InsertBreach(Sample("Leak"));
        Assert.ThrowsAny<Exception>(() => store.InsertBreach(Sample("LEAK")));
        Assert.Single(store.AllBreaches());
    }

    [Fact]
    public void Writes_EachOne_MoveTheRevision_ReadsDoNot()
    {
        var location = NewLocation();
        using var store = StateStore.Open(location, DataDir);
        var seen = new HashSet<string> { StateStore.ReadRevision(location, DataDir) };
        var counter = store.RevisionCounter();

        var id = store.InsertBreach(Sample("A"));
        Assert.True(seen.Add(StateStore.ReadRevision(location, DataDir)), "insert");
        store.AllBreaches();
        store.Keys();
        Assert.Contains(StateStore.ReadRevision(location, DataDir), seen);

        store.UpdateBreach(store.AllBreaches()[0] with { IsSensitive = true });
        Assert.True(seen.Add(StateStore.ReadRevision(location, DataDir)), "update");
        store.SetReport(id, "{}");
        Assert.True(seen.Add(StateStore.ReadRevision(location, DataDir)), "report");
        var (key, _) = store.CreateKey("k", 5, DateTimeOffset.UtcNow);
        Assert.True(seen.Add(StateStore.ReadRevision(location, DataDir)), "key create");
        store.RevokeKey(key.Id, DateTimeOffset.UtcNow);
        Assert.True(seen.Add(StateStore.ReadRevision(location, DataDir)), "key revoke");
        store.DeleteBreach(id);
        Assert.True(seen.Add(StateStore.ReadRevision(location, DataDir)), "delete");
        Assert.Equal(counter + 6, store.RevisionCounter());
    }

    [Fact]
    public void Keys_CreateListRevoke_KeepOnlyTheHash_AndTheFirstRevocation()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var created = DateTimeOffset.UtcNow;
        var (a, secretA) = store.CreateKey("first", 7, created);
        var (b, _) = store.CreateKey("second", 1000, created);

        Assert.Equal([1, 2], new[] { a.Id, b.Id });
        Assert.Matches("^[0-9a-f]{32}$", secretA);
        var listed = store.Keys();
        Assert.Equal(ApiKeySecret.Hash(secretA), listed[0].Hash);
        Assert.Equal(7, listed[0].Rpm);
        Assert.Equal(StateStore.Microseconds(created), listed[0].Created);
        Assert.Null(listed[0].Revoked);

        var firstRevocation = created.AddMinutes(1);
        Assert.True(store.RevokeKey(a.Id, firstRevocation));
        Assert.True(store.RevokeKey(a.Id, firstRevocation.AddMinutes(5)));
        Assert.False(store.RevokeKey(99, firstRevocation));
        Assert.Equal(StateStore.Microseconds(firstRevocation), store.Keys()[0].Revoked);
        Assert.False(store.Keys()[1].IsRevoked);
    }

    [Fact]
    public void CreateKey_FromFourWritersAtOnce_HandsOutEveryIdOnce()
    {
        var location = NewLocation();
        using (StateStore.Open(location, DataDir))
        {
        }

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            using var store = StateStore.Open(location, DataDir);
            for (var i = 0; i < 5; i++)
            {
                store.CreateKey("racer", 5, DateTimeOffset.UtcNow);
            }
        });

        using var reader = StateStore.Open(location, DataDir);
        Assert.Equal(Enumerable.Range(1, 20), reader.Keys().Select(k => k.Id));
    }

    [Fact]
    public void Reports_AreKeptPerBreach_AndGoWithTheRow()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var a = store.InsertBreach(Sample("A"));
        var b = store.InsertBreach(Sample("B"));
        store.SetReport(a, """{"rows":1}""");

        Assert.Equal("""{"rows":1}""", store.GetReport(a));
        Assert.Null(store.GetReport(b));
        Assert.Equal([a], store.AllReports().Keys);
        store.DeleteBreach(a);
        Assert.Null(store.GetReport(a));
    }

    [Fact]
    public void Open_Twice_MigratesOnce_AndTheSchemaIsCurrent()
    {
        var location = NewLocation();
        using (var first = StateStore.Open(location, DataDir))
        {
            first.InsertBreach(Sample("A"));
        }

        using var again = StateStore.Open(location, DataDir);
        Assert.True(again.Schema().IsCurrent);
        Assert.Empty(again.Verify());
        Assert.Single(again.AllBreaches());
    }
}

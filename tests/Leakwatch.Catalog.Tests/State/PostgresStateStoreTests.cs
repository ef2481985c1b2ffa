using Leakwatch.Catalog.State;
using Leakwatch.TestSupport;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The state-store contract on a real PostgreSQL (one server for the class, one database per test).</summary>
public sealed class PostgresStateStoreTests(PostgresFixture fixture) : NotificationStoreContract, IClassFixture<PostgresFixture>
{
    protected override StateLocation NewLocation() => StateLocation.Parse(fixture.Server.CreateDatabase("state"));

    [Fact]
    public void Open_WhenNothingListens_FailsWithOneLineNamingHostAndPort_NotThePassword()
    {
        var port = ServiceScript.FreePort();
        var location = StateLocation.Parse($"postgresql://leakwatch:s3cret-pw@127.0.0.1:{port}/leakwatch");

        var e = Assert.Throws<Leakwatch.Core.Errors.LeakwatchException>(() => StateStore.Open(location, DataDir));

        Assert.Equal(Leakwatch.Core.Errors.ErrorKind.StateUnavailable, e.Kind);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Open_ByTwoProcessesWorthOfThreadsAtOnce_MigratesTheSchemaOnce()
    {
        var url = fixture.Server.CreateDatabase("race");
        // Each location parses to the same connection string: clear the per-process "migrated" memo by varying a no-op parameter.
        var locations = Enumerable.Range(0, 4).Select(i => StateLocation.Parse($"{url}?application_name=race{i}")).ToArray();
        Parallel.ForEach(locations, l =>
        {
            using var store = StateStore.Open(l, DataDir);
        });

        var applied = fixture.Server.Psql("SELECT COUNT(*) FROM schema_versions", url[(url.LastIndexOf('/') + 1)..]);
        Assert.Equal(StateSchema.LatestVersion(StateEngine.Postgres).ToString(System.Globalization.CultureInfo.InvariantCulture), applied);
    }

    [Fact]
    public void Open_AStoreWithAMigrationThisBuildDoesNotKnow_IsRefusedAsNewer()
    {
        var url = fixture.Server.CreateDatabase("newer");
        var location = StateLocation.Parse(url);
        using (StateStore.Open(location, DataDir))
        {
        }

        fixture.Server.Psql("INSERT INTO schema_versions (scriptname, applied) VALUES ('9999_future.sql', now())", url[(url.LastIndexOf('/') + 1)..]);
        var other = StateLocation.Parse(url + "?application_name=newer");

        var e = Assert.Throws<Leakwatch.Core.Errors.LeakwatchException>(() => StateStore.Open(other, DataDir));
        Assert.Contains("9999_future.sql", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
    }
}

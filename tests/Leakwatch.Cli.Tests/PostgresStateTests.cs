using Leakwatch.TestSupport;

namespace Leakwatch.Cli.Tests;

/// <summary>The CLI on a real PostgreSQL state store (<c>--state</c>): migration from catalog.db, fsck, bad URLs.</summary>
public sealed class PostgresStateTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    internal static LeakwatchProcess.Result Cli(TempDir dir, string state, params string[] args)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "--state", state, .. args]);
        Assert.True(r.ExitCode == 0, $"leakwatch {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr}");
        return r;
    }

    [Fact]
    public void StateMigrate_APopulatedInstall_ThenEveryCommandWithState_AnswersAsBefore()
    {
        using var dir = new TempDir();
        var dump = dir.File("one.csv");
        File.WriteAllText(dump, "email,password\nalice@example.com,a\ncarol@example.net,c\n");
        var run = (string[] args) => LeakwatchProcess.Run([.. dir.Dirs, .. args]);
        Assert.Equal(0, run(["ingest", dump, "--breach", "One", "--date", "2024-01-01"]).ExitCode);
        Assert.Equal(0, run(["keys", "create", "--name", "a"]).ExitCode);
        Assert.Equal(0, run(["keys", "revoke", "1"]).ExitCode);
        var before = (Check: run(["check", "alice@example.com", "--json"]), Keys: run(["keys", "list", "--json"]), Breaches: run(["breaches", "--json"]));
        var state = fixture.Server.CreateDatabase("migrate").Replace("leakwatch@", "leakwatch:not-printed@", StringComparison.Ordinal);

        var migrated = run(["state", "migrate", "--to", state]);

        Assert.True(migrated.ExitCode == 0, migrated.Stderr);
        Assert.Contains("1 breaches, 1 reports, 1 API keys (1 revoked), last breach id 1", migrated.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("not-printed", migrated.Stdout + migrated.Stderr, StringComparison.Ordinal);
        var withState = (string[] args) => run(["--state", state, .. args]);
        Assert.Equal(before.Check.Stdout, withState(["check", "alice@example.com", "--json"]).Stdout);
        Assert.Equal(before.Keys.Stdout, withState(["keys", "list", "--json"]).Stdout);
        Assert.Equal(before.Breaches.Stdout, withState(["breaches", "--json"]).Stdout);
        var fsck = withState(["fsck"]);
        Assert.True(fsck.ExitCode == 0, fsck.Stderr);
        Assert.Equal(0, run(["fsck"]).ExitCode);

        var again = run(["state", "migrate", "--to", state]);
        Assert.Equal(4, again.ExitCode);
        Assert.Contains("already holds state", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Fsck_WithPostgresState_FindsAPublishedBreachWithoutItsRow()
    {
        using var dir = new TempDir();
        var state = fixture.Server.CreateDatabase("fsck");
        var dump = dir.File("one.csv");
        File.WriteAllText(dump, "email\nalice@example.com\n");
        Cli(dir, state, "ingest", dump, "--breach", "One", "--date", "2024-01-01");
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "--state", state, "fsck"]).ExitCode);

        fixture.Server.Psql("DELETE FROM breaches", state[(state.LastIndexOf('/') + 1)..]);
        var fsck = LeakwatchProcess.Run([.. dir.Dirs, "--state", state, "fsck"]);

        Assert.Equal(4, fsck.ExitCode);
        Assert.Contains("1 published breach(es) missing from the catalogue", fsck.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://u@h/db", 2, "--state: ")]
    [InlineData("postgresql://leakwatch:hunter2@127.0.0.1:1/leakwatch", 69, "127.0.0.1:1 unreachable")]
    public void Keys_WithAnUnusableState_FailWithOneLine_NeverThePassword(string state, int exitCode, string message)
    {
        using var dir = new TempDir();
        var r = LeakwatchProcess.Run([.. dir.Dirs, "--state", state, "keys", "list"]);

        Assert.Equal(exitCode, r.ExitCode);
        Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
        Assert.Single(r.StderrLines);
        Assert.DoesNotContain("hunter2", r.Stderr, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using System.Net;
using Leakwatch.TestSupport;

namespace Leakwatch.Cli.Tests;

/// <summary>
/// The CLI and a served replica on a real PostgreSQL state store (<c>--state</c>): what one command writes, a running
/// <c>serve --state</c> follows within 5 s, and a PostgreSQL restart neither stops it answering nor stops it following.
/// </summary>
public sealed class PostgresStateTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Promised = TimeSpan.FromSeconds(5);

    private static LeakwatchProcess.Result Cli(TempDir dir, string state, params string[] args)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "--state", state, .. args]);
        Assert.True(r.ExitCode == 0, $"leakwatch {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr}");
        return r;
    }

    private static async Task<HttpStatusCode> Search(HttpClient http, string key, string account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v3/breachedaccount/" + Uri.EscapeDataString(account));
        request.Headers.Add("hibp-api-key", key);
        request.Headers.Add("user-agent", "postgres-state-test");
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Polls until the search answers <paramref name="want"/>, for at most <paramref name="within"/>.</summary>
    private static async Task<HttpStatusCode?> PollFor(HttpClient http, string key, string account, HttpStatusCode want, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            HttpStatusCode? got;
            try
            {
                got = await Search(http, key, account);
            }
            catch (HttpRequestException)
            {
                got = null; // not listening yet
            }

            if (got == want || clock.Elapsed > within)
            {
                return got;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Serve_WithPostgresState_AnswersKeysAndBreachesWrittenByTheCli_AndFollowsChangesThroughARestart()
    {
        using var dir = new TempDir();
        var state = fixture.Server.CreateDatabase("cli");
        var dump = dir.File("one.csv");
        File.WriteAllText(dump, "email,password\nalice@example.com,a\nbob@example.org,b\n");
        Cli(dir, state, "ingest", dump, "--breach", "One", "--date", "2024-01-01");
        var key = Cli(dir, state, "keys", "create", "--name", "replica").StdoutLines[0];
        Assert.False(File.Exists(Path.Combine(dir.DataDir, "catalog.db")), "with --state, no catalog.db is written");

        var port = ServiceScript.FreePort();
        using var serve = Process.Start(LeakwatchProcess.StartInfo([.. dir.Dirs, "--state", state, "serve", "--urls", $"http://127.0.0.1:{port}"]))!;
        serve.StandardInput.Close();
        var log = serve.StandardOutput.ReadToEndAsync();
        var errors = serve.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal(HttpStatusCode.OK, await PollFor(http, key, "alice@example.com", HttpStatusCode.OK, TimeSpan.FromSeconds(30)));

            // A key created after the server started, and a breach hidden by `breach set`, reach it within 5 s.
            var second = Cli(dir, state, "keys", "create", "--name", "later").StdoutLines[0];
            Assert.Equal(HttpStatusCode.OK, await PollFor(http, second, "alice@example.com", HttpStatusCode.OK, Promised));
            Cli(dir, state, "breach", "set", "One", "--sensitive");
            Assert.Equal(HttpStatusCode.NotFound, await PollFor(http, key, "alice@example.com", HttpStatusCode.NotFound, Promised));

            // PostgreSQL down: the server answers from what it holds.
            fixture.Server.Stop();
            Assert.Equal(HttpStatusCode.NotFound, await Search(http, key, "alice@example.com"));
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(HttpStatusCode.NotFound, await Search(http, second, "bob@example.org"));

            // Back: a change made after the restart is followed again within the issue's 10 s.
            fixture.Server.Restart();
            Cli(dir, state, "breach", "set", "One", "--not-sensitive");
            Assert.Equal(HttpStatusCode.OK, await PollFor(http, key, "bob@example.org", HttpStatusCode.OK, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            LeakwatchProcess.WaitForExitOrKill(serve, TimeSpan.FromSeconds(30));
        }

        var output = await log + await errors;
        Assert.Contains("unreachable", output, StringComparison.Ordinal);
        Assert.Contains("answers again", output, StringComparison.Ordinal);
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

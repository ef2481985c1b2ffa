using System.Diagnostics;
using System.Net;
using Leakwatch.TestSupport;

namespace Leakwatch.Cli.Tests;

/// <summary>
/// A served replica on a real PostgreSQL state store: what the CLI writes with <c>--state</c>, a running
/// <c>serve --state</c> follows within 5 s, and a PostgreSQL restart neither stops it answering nor stops it following.
/// A class of its own: it stops and restarts its server.
/// </summary>
public sealed class PostgresServeTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Promised = TimeSpan.FromSeconds(5);

    private static LeakwatchProcess.Result Cli(TempDir dir, string state, params string[] args) => PostgresStateTests.Cli(dir, state, args);

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
        // The polls below ask every 100 ms for seconds at a time: at the default 10 rpm the key would run out and a
        // 429 would stand in for the answer under test (state following the writer), so the keys get room.
        var key = Cli(dir, state, "keys", "create", "--name", "replica", "--rpm", "6000").StdoutLines[0];
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
            var second = Cli(dir, state, "keys", "create", "--name", "later", "--rpm", "6000").StdoutLines[0];
            Assert.Equal(HttpStatusCode.OK, await PollFor(http, second, "alice@example.com", HttpStatusCode.OK, Promised));
            Cli(dir, state, "breach", "set", "One", "--sensitive");
            Assert.Equal(HttpStatusCode.NotFound, await PollFor(http, key, "alice@example.com", HttpStatusCode.NotFound, Promised));

            // PostgreSQL down: the server answers from what it holds.
            fixture.Server.Stop();
            Assert.Equal(HttpStatusCode.NotFound, await Search(http, key, "alice@example.com"));
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(HttpStatusCode.NotFound, await Search(http, second, "bob@example.org"));

            // Back: a change made after the restart is followed again within the 10 s.
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
        Assert.True(output.Contains("unreachable", StringComparison.Ordinal), output);
        Assert.True(output.Contains("answers again", StringComparison.Ordinal), output);
    }
}

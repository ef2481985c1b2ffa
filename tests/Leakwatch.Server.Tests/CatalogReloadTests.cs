using Leakwatch.Catalog.State;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Leakwatch.Catalog;

namespace Leakwatch.Server.Tests;

/// <summary>
/// A catalogue change made by another process (<c>leakwatch breach set</c>) reaches a running server within 5 s,
/// with the file watcher and with the periodic check alone (as when inotify is unavailable), at the default
/// check interval: a breach set sensitive or retired leaves account search, and <c>/breaches</c> shows its flag.
/// </summary>
public class CatalogReloadTests
{
    private static readonly TimeSpan Promised = TimeSpan.FromSeconds(5);

    private static string Search(string account) => "/api/v3/breachedaccount/" + Uri.EscapeDataString(account);

    /// <summary>Polls until the body is <paramref name="want"/> (404: empty), for at most the promised 5 s from now.</summary>
    private static async Task<string> PollFor(HttpClient c, string path, string want)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var r = await c.GetAsync(path);
            var body = r.StatusCode == HttpStatusCode.NotFound ? "" : await r.Content.ReadAsStringAsync();
            if (body == want || clock.Elapsed > Promised)
            {
                return body;
            }

            await Task.Delay(100);
        }
    }

    private static void BreachSet(TempDir dir, params string[] args)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "breach", "set", .. args]);
        Assert.True(r.ExitCode == 0, $"breach set failed ({r.ExitCode}): {r.Stderr}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // no inotify: the periodic check alone
    public async Task BreachSet_SensitiveThenRetired_ReachesRunningServerWithin5s(bool watchFiles)
    {
        using var dir = new TempDir();
        var one = dir.File("one.csv");
        var two = dir.File("two.csv");
        File.WriteAllText(one, "email\nshared@example.com\nonly.one@example.com\n");
        File.WriteAllText(two, "email\nshared@example.com\n");
        dir.Ingest(one, "One", "--date", "2019-01-01");
        dir.Ingest(two, "Two", "--date", "2020-01-01");
        string key;
        using (var keys = SqliteStateStore.Open(dir.DataDir))
        {
            key = keys.CreateKey("reload", 1_000_000, DateTimeOffset.UtcNow).Secret;
        }

        await using var server = await RunningServer.StartAsync(new ServerOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            ConsoleLogging = false,
            WatchFiles = watchFiles,
        });
        using var c = server.Client(key);
        Assert.Equal("""[{"Name":"One"},{"Name":"Two"}]""", await c.GetStringAsync(Search("shared@example.com")));

        BreachSet(dir, "Two", "--sensitive");
        Assert.Equal("""[{"Name":"One"}]""", await PollFor(c, Search("shared@example.com"), """[{"Name":"One"}]"""));
        var listed = JsonDocument.Parse(await c.GetStringAsync("/api/v3/breaches")).RootElement.EnumerateArray()
            .ToDictionary(b => b.GetProperty("Name").GetString()!, b => b.GetProperty("IsSensitive").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["One"] = false, ["Two"] = true }, listed);

        BreachSet(dir, "One", "--retired");
        Assert.Equal("", await PollFor(c, Search("only.one@example.com"), ""));
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync(Search("shared@example.com"))).StatusCode);
        Assert.True(JsonDocument.Parse(await c.GetStringAsync("/api/v3/breach/One")).RootElement.GetProperty("IsRetired").GetBoolean());

        // And back: clearing the flag is a catalogue change like any other.
        BreachSet(dir, "Two", "--not-sensitive");
        Assert.Equal("""[{"Name":"Two"}]""", await PollFor(c, Search("shared@example.com"), """[{"Name":"Two"}]"""));
    }
}

using System.Net;
using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Server.Tests;

/// <summary>A running server follows the data dir: new publishes and key changes, without a restart.</summary>
public class ReloadTests
{
    private static string Path(string account) => "/api/v3/breachedaccount/" + Uri.EscapeDataString(account);

    private static async Task<HttpResponseMessage> PollUntil(Func<Task<HttpResponseMessage>> get, HttpStatusCode want)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var r = await get();
            if (r.StatusCode == want || DateTime.UtcNow > deadline)
            {
                return r;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Server_SecondIngestAndKeyChanges_ServedWithoutRestart()
    {
        using var dir = new TempDir();
        var first = dir.File("first.csv");
        var second = dir.File("second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(1_500, 31, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(1_500, 32, DumpShape.Csv), second, collectIdentifiers: true);
        dir.Ingest(first, "First", "--date", "2020-01-01");

        var created = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "keys", "create", "--name", "reload", "--rpm", "100000", "--json"]);
        Assert.Equal(0, created.ExitCode);
        var keyLine = JsonDocument.Parse(created.Stdout).RootElement;
        var key = keyLine.GetProperty("key").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", key);

        var options = new ServerOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            ConsoleLogging = false,
            KeyRefreshInterval = TimeSpan.FromMilliseconds(200),
        };
        await using var server = await RunningServer.StartAsync(options);
        using var c = server.Client(key);
        var onlySecond = t2.Emails!.First(e => !t1.Emails!.Contains(e));
        var onlyFirst = t1.Emails!.First(e => !t2.Emails!.Contains(e));
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync(Path(onlySecond))).StatusCode);

        dir.Ingest(second, "Second", "--date", "2022-01-01");
        var r = await PollUntil(() => c.GetAsync(Path(onlySecond)), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("""[{"Name":"Second"}]""", await r.Content.ReadAsStringAsync());
        Assert.Equal("""[{"Name":"First"}]""", await c.GetStringAsync(Path(onlyFirst)));
        var health = JsonDocument.Parse(await c.GetStringAsync("/healthz")).RootElement;
        Assert.Equal(2, health.GetProperty("generation").GetInt64());
        Assert.Equal("Second", JsonDocument.Parse(await c.GetStringAsync("/api/v3/latestbreach")).RootElement.GetProperty("Name").GetString());

        // Keys: listed without the key, revoked → refused within the refresh interval.
        var list = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "keys", "list", "--json"]);
        Assert.Equal(0, list.ExitCode);
        Assert.DoesNotContain(key, list.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"name\":\"reload\"", list.Stdout, StringComparison.Ordinal);
        var id = keyLine.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "keys", "revoke", id]).ExitCode);
        var denied = await PollUntil(() => c.GetAsync(Path(onlyFirst)), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("Access denied due to invalid hibp-api-key.", await denied.Content.ReadAsStringAsync());
        Assert.Equal(5, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "keys", "revoke", "999"]).ExitCode);
    }
}

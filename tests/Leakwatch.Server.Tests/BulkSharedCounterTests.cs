using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary>
/// <c>POST /api/v3/bulk</c> with <c>serve --redis</c>: two servers on one real Redis, on a clock the test moves (nothing
/// refills). Each account takes a token of the key's bucket in Redis, and the shared detector sees every account.
/// </summary>
public sealed class BulkSharedCounterTests(SharedCounterTests.Cluster cluster) : IClassFixture<SharedCounterTests.Cluster>
{
    private async Task<(RunningServer A, RunningServer B, CapturingLoggerProvider Logs)> StartPair()
    {
        cluster.Redis.FlushAll();
        var logs = new CapturingLoggerProvider();
        var options = new ServerOptions
        {
            DataDir = cluster.Dir.DataDir,
            KeyFilePath = cluster.Dir.KeyFile,
            ConsoleLogging = false,
            Redis = cluster.Redis.Endpoint,
            TimeProvider = new ManualTimeProvider(),
            ConfigureLogging = l => l.AddProvider(logs),
        };
        return (await RunningServer.StartAsync(options), await RunningServer.StartAsync(options), logs);
    }

    private static async Task<HttpStatusCode> Bulk(RunningServer server, string key, IEnumerable<string> accounts)
    {
        using var c = server.Client(key);
        return (await c.PostAsJsonAsync("/api/v3/bulk", accounts)).StatusCode;
    }

    private static string Phone(int i) => "+1650253" + (1000 + i).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task KeyOf5Rpm_AccountsCountedForTheCluster()
    {
        var (a, b, _) = await StartPair();
        await using var _a = a;
        await using var _b = b;
        string[] three = ["someone@example.com", "other@example.com", "third@example.com"];

        Assert.Equal(HttpStatusCode.OK, await Bulk(a, cluster.FiveRpmKey, three));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Bulk(b, cluster.FiveRpmKey, three)); // 2 left
        Assert.Equal(HttpStatusCode.OK, await Bulk(b, cluster.FiveRpmKey, three[..2]));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Bulk(a, cluster.FiveRpmKey, three[..1]));
        Assert.Equal(HttpStatusCode.BadRequest, await Bulk(a, cluster.FiveRpmKey, Enumerable.Repeat("someone@example.com", 6)));
    }

    [Fact]
    public async Task SequentialPhones_SharedDetectorBlocksOnBoth()
    {
        var (a, b, logs) = await StartPair();
        await using var _a = a;
        await using var _b = b;

        var walk = await Bulk(a, cluster.FastKey, Enumerable.Range(0, 200).Select(Phone));
        var other = await Bulk(b, cluster.FastKey, ["someone@example.com"]);

        Assert.Equal(HttpStatusCode.TooManyRequests, walk);
        Assert.Equal(HttpStatusCode.TooManyRequests, other);
        Assert.Contains(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal) && l.Contains("sequential-phones", StringComparison.Ordinal));
    }
}

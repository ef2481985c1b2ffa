using System.Net;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Leakwatch.Server.Tests;

/// <summary>
/// The MCP endpoint with <c>serve --redis</c>: two replicas over one real Redis (the <see cref="SharedCounterTests"/>
/// cluster). A key's rate holds across tool calls and HTTP requests on either replica; with Redis stopped, account
/// search fails closed as a tool error.
/// </summary>
public sealed class McpSharedTests(SharedCounterTests.Cluster cluster) : IClassFixture<SharedCounterTests.Cluster>
{
    private const string Account = "someone@example.com";

    private async Task<(RunningServer A, RunningServer B)> StartPair()
    {
        cluster.Redis.FlushAll();
        var options = new ServerOptions
        {
            DataDir = cluster.Dir.DataDir,
            KeyFilePath = cluster.Dir.KeyFile,
            ConsoleLogging = false,
            Redis = cluster.Redis.Endpoint,
            // A clock that does not move: nothing refills during the test.
            TimeProvider = new ManualTimeProvider(),
            ConfigureLogging = l => l.SetMinimumLevel(LogLevel.Warning),
        };
        return (await RunningServer.StartAsync(options), await RunningServer.StartAsync(options));
    }

    private static async Task<McpClient> Connect(RunningServer server, string key)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(server.BaseAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            server.Client(key), loggerFactory: null, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }

    private static async Task<(string Text, bool IsError)> Search(McpClient client)
    {
        var result = await client.CallToolAsync("search_account", new Dictionary<string, object?> { ["account"] = Account });
        return (Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, result.IsError == true);
    }

    [Fact]
    public async Task KeyOf5Rpm_ToolCallsAndHttpOverTwoReplicas_FiveAnsweredInAll()
    {
        var (a, b) = await StartPair();
        await using var _ = a;
        await using var __ = b;
        await using var client = await Connect(a, cluster.FiveRpmKey);
        using var http = b.Client(cluster.FiveRpmKey);
        var answered = 0;
        for (var i = 0; i < 4; i++)
        {
            answered += (await Search(client)) == ("""[{"Name":"Tiny"}]""", false) ? 1 : 0;
            answered += (await http.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(Account))).StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.Equal(5, answered);
        // One token every 12 s.
        Assert.Equal(("Rate limit is exceeded. Try again in 12 seconds.", true), await Search(client));
    }

    [Fact]
    public async Task RedisStopped_SearchAccountFailsClosed_CatalogueToolsServe()
    {
        var (a, b) = await StartPair();
        await using var _ = a;
        await using var __ = b;
        await using var client = await Connect(a, cluster.FastKey);
        Assert.Equal(("""[{"Name":"Tiny"}]""", false), await Search(client));
        cluster.Redis.Stop();
        try
        {
            var last = ("", false);
            for (var i = 0; i < 100 && !last.Item2; i++)
            {
                last = await Search(client);
                await Task.Delay(50);
            }

            Assert.Equal(("Service unavailable: the cluster's shared counters cannot be reached. Try again later.", true), last);
            var breaches = await client.CallToolAsync("list_breaches");
            Assert.NotEqual(true, breaches.IsError);
        }
        finally
        {
            cluster.Redis.Start();
        }
    }
}

using System.Net;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Index;
using Leakwatch.Privacy;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Leakwatch.Server.Tests;

/// <summary>
/// <c>GET /api/v3/breacheddomain/{domain}</c> and the <c>subscribeddomains</c> counts over a real server and a data
/// dir made by the real CLI: two CSV breaches with addresses on a verified domain (the second a spam list), one of
/// them opted out; exact answers, 403 for a key that has not verified the domain, 404 for a verified domain with no
/// breached address; and after <c>remove</c> of a breach its aliases only lose that breach.
/// </summary>
public sealed class BreachedDomainTests
{
    private const string Org = "leakwatch-org.com";

    /// <summary>The data dir: One (2020) and Two (2021, a spam list); erin opted out; alpha verified leakwatch-org.com and
    /// leakwatch-empty.com, beta claimed leakwatch-org.com without proving it.</summary>
    private static (string Alpha, string Beta) Prepare(TempDir dir)
    {
        var one = dir.File("one.csv");
        File.WriteAllText(one, "email,name\nalice@leakwatch-org.com,a\nALICE@Leakwatch-Org.com,a2\nbob@leakwatch-org.com,b\nerin@leakwatch-org.com,e\nsomeone@leakwatch-other.com,s\n");
        var two = dir.File("two.csv");
        File.WriteAllText(two, "email\nbob@leakwatch-org.com\ndave@leakwatch-org.com\nnobody@elsewhere.example\n");
        dir.Ingest(one, "One", "--date", "2020-01-01");
        dir.Ingest(two, "Two", "--date", "2021-01-01");
        var set = LeakwatchProcess.Run([.. dir.Dirs, "breach", "set", "Two", "--spam-list"]);
        Assert.True(set.ExitCode == 0, set.Stderr);
        using var state = SqliteStateStore.Open(dir.DataDir);
        var now = DateTimeOffset.UtcNow;
        var (alpha, alphaSecret) = state.CreateKey("alpha", 1_000_000, now);
        var (beta, betaSecret) = state.CreateKey("beta", 1_000_000, now);
        foreach (var d in new[] { Org, "leakwatch-empty.com" })
        {
            state.AddDomain(alpha.Id, d, new byte[32], now);
            Assert.True(state.MarkDomainVerified(alpha.Id, d, "dns", now));
        }

        state.AddDomain(beta.Id, Org, new byte[32], now);
        var erin = new byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(new IdentifierHasher(KeyFile.Load(dir.KeyFile)).HashEmail("erin@leakwatch-org.com"), erin);
        state.AddOptOut(erin, now);
        return (alphaSecret, betaSecret);
    }

    private static Task<RunningServer> Start(TempDir dir) => RunningServer.StartAsync(new ServerOptions
    {
        DataDir = dir.DataDir,
        KeyFilePath = dir.KeyFile,
        ConsoleLogging = false,
    });

    private static async Task<(HttpStatusCode Status, string Body)> Get(HttpClient c, string path)
    {
        using var r = await c.GetAsync(path);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task VerifiedDomain_AnswersExactly_OptedOutLeftOut_UnverifiedIs403_NothingIs404_CountsExact()
    {
        using var dir = new TempDir();
        var (alpha, beta) = Prepare(dir);
        await using var server = await Start(dir);
        using var a = server.Client(alpha);
        using var b = server.Client(beta);

        var (status, body) = await Get(a, "/api/v3/breacheddomain/LEAKWATCH-ORG.com");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"alice":["One"],"bob":["One","Two"],"dave":["Two"]}""", body);

        Assert.Equal(HttpStatusCode.Forbidden, (await Get(b, "/api/v3/breacheddomain/leakwatch-org.com")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(a, "/api/v3/breacheddomain/leakwatch-other.com")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(a, "/api/v3/breacheddomain/leakwatch-empty.com")).Status);
        using (var anonymous = server.Client())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(anonymous, "/api/v3/breacheddomain/leakwatch-org.com")).Status);
        }

        // The MCP tool answers what its HTTP twin does, and refuses what it refuses.
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(server.BaseAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            server.Client(alpha), loggerFactory: null, ownsHttpClient: true);
        await using (var mcp = await McpClient.CreateAsync(transport))
        {
            var found = await mcp.CallToolAsync("domain_search", new Dictionary<string, object?> { ["domain"] = Org });
            Assert.NotEqual(true, found.IsError);
            var text = Assert.IsType<TextContentBlock>(Assert.Single(found.Content)).Text;
            Assert.Equal(JsonSerializer.Deserialize<SortedDictionary<string, string[]>>(body), JsonSerializer.Deserialize<SortedDictionary<string, string[]>>(text));
            var refused = await mcp.CallToolAsync("domain_search", new Dictionary<string, object?> { ["domain"] = "leakwatch-other.com" });
            Assert.True(refused.IsError);
        }

        var (subStatus, subscribed) = await Get(a, "/api/v3/subscribeddomains");
        Assert.Equal(HttpStatusCode.OK, subStatus);
        var org = JsonDocument.Parse(subscribed).RootElement.EnumerateArray().Single(e => e.GetProperty("DomainName").GetString() == Org);
        Assert.Equal(3, org.GetProperty("PwnCount").GetInt64());
        Assert.Equal(2, org.GetProperty("PwnCountExcludingSpamLists").GetInt64());
        Assert.Equal(2, org.GetProperty("PwnCountExcludingSpamListsAtLastSubscriptionRenewal").GetInt64());
    }

    [Fact]
    public async Task RemovingABreach_DropsOnlyThatBreachFromItsAliases()
    {
        using var dir = new TempDir();
        var (alpha, _) = Prepare(dir);
        await using var server = await Start(dir);
        using var a = server.Client(alpha);
        Assert.Equal("""{"alice":["One"],"bob":["One","Two"],"dave":["Two"]}""", (await Get(a, "/api/v3/breacheddomain/leakwatch-org.com")).Body);

        var removed = LeakwatchProcess.Run([.. dir.Dirs, "remove", "Two"]);
        Assert.True(removed.ExitCode == 0, removed.Stderr);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string body;
        do
        {
            await Task.Delay(100);
            body = (await Get(a, "/api/v3/breacheddomain/leakwatch-org.com")).Body;
        }
        while (body.Contains("Two", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Equal("""{"alice":["One"],"bob":["One"]}""", body);
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Index;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Leakwatch.Server.Tests;

/// <summary>
/// The MCP endpoint through the MCP SDK's own client (streamable HTTP) against a real server on loopback, over the
/// shared generated data: each tool answers exactly what its HTTP twin does, with the same keys, limits and audit.
/// Each test runs its own server, so rate buckets, the detector and opt-outs start fresh.
/// </summary>
[Collection(ServerCollection.Name)]
public class McpTests(ServerFixture f)
{
    private static readonly string[] ToolNames = ["domain_search", "get_breach", "list_breaches", "password_range", "search_account"];

    private string SharedEmail => f.Alpha.Emails!.Where(f.Beta.Emails!.Contains).Order(StringComparer.Ordinal).First();

    private ulong SharedPhone => f.Alpha.Phones!.Where(f.Beta.Phones!.Contains).Order().First();

    private static async Task<McpClient> Connect(RunningServer server, string? key, string? userAgent = "leakwatch-tests/1.0")
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(server.BaseAddress, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            server.Client(key, userAgent), loggerFactory: null, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }

    private static async Task<(string Text, bool IsError)> Call(McpClient client, string tool, params (string Name, object? Value)[] args)
    {
        var result = await client.CallToolAsync(tool, args.ToDictionary(a => a.Name, a => a.Value));
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        return (text, result.IsError == true);
    }

    private static async Task<string> Http(RunningServer server, string key, string path)
    {
        using var c = server.Client(key);
        using var r = await c.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task ListTools_ExactNamesDescriptionsAndRequiredInputs()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, f.Key);
        var tools = await client.ListToolsAsync();
        Assert.Equal(ToolNames, tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var required = tools.ToDictionary(t => t.Name, t => t.JsonSchema.TryGetProperty("required", out var r)
            ? r.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray() : []);
        Assert.Equal(["account"], required["search_account"]);
        Assert.Equal(["name"], required["get_breach"]);
        Assert.Empty(required["list_breaches"]);
        Assert.Equal(["prefix"], required["password_range"]);
        Assert.Equal(["domain"], required["domain_search"]);
        var search = tools.Single(t => t.Name == "search_account");
        Assert.Equal(["account", "domain", "truncate", "unverified"],
            search.JsonSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.True(t.Description.Length > 80, t.Name));
        Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, t.Name));
    }

    [Fact]
    public async Task SearchAccount_AnswersAsBreachedAccount_NamesByDefaultFullOnAsk()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, f.Key);
        var email = Uri.EscapeDataString(SharedEmail);

        var (names, error) = await Call(client, "search_account", ("account", SharedEmail));
        Assert.False(error);
        Assert.Equal("""[{"Name":"Alpha"},{"Name":"Beta"}]""", names);
        Assert.Equal(await Http(server, f.Key, "/api/v3/breachedaccount/" + email), names);

        var (full, _) = await Call(client, "search_account", ("account", " " + SharedEmail.ToUpperInvariant()), ("truncate", false));
        Assert.Equal(await Http(server, f.Key, "/api/v3/breachedaccount/" + email + "?truncateResponse=false"), full);
        Assert.Equal(["Alpha", "Beta"], JsonDocument.Parse(full).RootElement.EnumerateArray().Select(b => b.GetProperty("Name").GetString()));

        Assert.Equal("""[{"Name":"Alpha"}]""", (await Call(client, "search_account", ("account", SharedEmail), ("unverified", false))).Text);
        Assert.Equal("""[{"Name":"Beta"}]""", (await Call(client, "search_account", ("account", SharedEmail), ("domain", "BETA.example"))).Text);
        Assert.Equal("""[{"Name":"Alpha"},{"Name":"Beta"}]""", (await Call(client, "search_account", ("account", ServerFixture.Plus(SharedPhone)))).Text);

        var (none, noneError) = await Call(client, "search_account", ("account", "nobody-here@example.com"));
        Assert.False(noneError);
        Assert.Equal("No breaches: this account is in no breach known to this server.", none);
    }

    [Fact]
    public async Task SearchAccount_AllZeroTestKey_TestAccountsOnly()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, new string('0', 32));
        Assert.Equal(("""[{"Name":"Adobe"}]""", false), await Call(client, "search_account", ("account", "account-exists@hibp-integration-tests.com")));
        Assert.Equal(await Http(server, new string('0', 32), "/api/v3/breachedaccount/account-exists%40hibp-integration-tests.com"),
            (await Call(client, "search_account", ("account", "account-exists@hibp-integration-tests.com"))).Text);
        Assert.Equal(("The all-zero test key only answers for the test accounts at @hibp-integration-tests.com.", true),
            await Call(client, "search_account", ("account", SharedEmail)));
        Assert.StartsWith("domain: not verified", (await Call(client, "domain_search", ("domain", "alpha.example"))).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBreachAndListBreaches_AnswerAsTheirHttpTwins()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, f.Key);

        var (alpha, error) = await Call(client, "get_breach", ("name", "alpha"));
        Assert.False(error);
        Assert.Equal(await Http(server, f.Key, "/api/v3/breach/Alpha"), alpha);
        Assert.Equal("Alpha Inc", JsonDocument.Parse(alpha).RootElement.GetProperty("Title").GetString());
        Assert.Equal(("No breach has this name.", false), await Call(client, "get_breach", ("name", "NoSuchBreach")));

        var (all, _) = await Call(client, "list_breaches");
        Assert.Equal(await Http(server, f.Key, "/api/v3/breaches"), all);
        Assert.Equal(["Alpha", "Beta"], JsonDocument.Parse(all).RootElement.EnumerateArray().Select(b => b.GetProperty("Name").GetString()));
        var (beta, _) = await Call(client, "list_breaches", ("domain", "BETA.EXAMPLE"));
        Assert.Equal(await Http(server, f.Key, "/api/v3/breaches?domain=beta.example"), beta);
        Assert.Equal("Beta", JsonDocument.Parse(beta).RootElement.EnumerateArray().Single().GetProperty("Name").GetString());
        Assert.Equal(("[]", false), await Call(client, "list_breaches", ("domain", "nowhere.example")));
    }

    [Fact]
    public async Task PasswordRange_Sha1AndNtlm_TheRangeLines()
    {
        using var dir = new TempDir();
        var list = dir.File("passwords.txt");
        File.WriteAllLines(list, ["password", "password", "hunter2"]);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", list, "--mode", "plain"]).ExitCode);
        var dump = dir.File("tiny.csv");
        File.WriteAllText(dump, "email,phone\nsomeone@example.com,+447911123456\n");
        dir.Ingest(dump, "Tiny");
        string key;
        using (var keys = SqliteStateStore.Open(dir.DataDir))
        {
            key = keys.CreateKey("mcp", 1000, DateTimeOffset.UtcNow).Secret;
        }

        await using var server = await RunningServer.StartAsync(new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false });
        await using var client = await Connect(server, key);
        var sha1 = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes("password")));
        Assert.Equal((sha1[5..] + ":2", false), await Call(client, "password_range", ("prefix", sha1[..5].ToLowerInvariant())));
        Assert.Equal(await Http(server, key, "/range/" + sha1[..5]), (await Call(client, "password_range", ("prefix", sha1[..5]), ("mode", "sha1"))).Text);
        // NTLM of "password" is 8846F7EAEE8FB117AD06BDD830B7586C.
        Assert.Equal(("7EAEE8FB117AD06BDD830B7586C:2", false), await Call(client, "password_range", ("prefix", "8846F"), ("mode", "NTLM")));
        Assert.Equal(await Http(server, key, "/range/8846F?mode=ntlm"), (await Call(client, "password_range", ("prefix", "8846f"), ("mode", "ntlm"))).Text);
        Assert.Equal(("", false), await Call(client, "password_range", ("prefix", "00000")));
    }

    [Fact]
    public async Task DomainSearch_NoDomainVerifiedYet_RefusedForEveryDomain()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, f.Key);
        foreach (var domain in new[] { "alpha.example", "Beta.Example." })
        {
            var (text, error) = await Call(client, "domain_search", ("domain", domain));
            Assert.True(error);
            Assert.StartsWith("domain: not verified for this API key.", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("search_account", "account", "not-an-account", "account: not a valid email address or phone number.")]
    [InlineData("search_account", "account", "a@@b", "account: not a valid email address or phone number.")]
    [InlineData("search_account", "account", "", "account: not a valid email address or phone number.")]
    [InlineData("password_range", "prefix", "21BD", "prefix: must be exactly 5 hexadecimal characters (0-9, A-F), the start of the hash.")]
    [InlineData("password_range", "prefix", "21BDX", "prefix: must be exactly 5 hexadecimal characters (0-9, A-F), the start of the hash.")]
    [InlineData("get_breach", "name", " ", "name: required, the name of a breach.")]
    [InlineData("domain_search", "domain", "not a domain", "domain: not a valid domain name, e.g. example.com.")]
    [InlineData("domain_search", "domain", "localhost", "domain: not a valid domain name, e.g. example.com.")]
    public async Task InvalidInput_ToolErrorNamingTheField(string tool, string field, string value, string expected)
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, f.Key);
        Assert.Equal((expected, true), await Call(client, tool, (field, value)));
    }

    [Fact]
    public async Task InvalidModeOrMissingArgument_ToolErrorNamingTheField()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, f.Key);
        Assert.Equal(("mode: must be sha1 or ntlm.", true), await Call(client, "password_range", ("prefix", "21BD1"), ("mode", "md5")));
        foreach (var (tool, field) in new[] { ("search_account", "account"), ("get_breach", "name"), ("password_range", "prefix"), ("domain_search", "domain") })
        {
            Assert.Equal((field + ": required.", true), await Call(client, tool));
            Assert.Equal((field + ": required.", true), await Call(client, tool, (field, null)));
            Assert.Equal((field + ": must be a string.", true), await Call(client, tool, (field, 42)));
        }

        Assert.Equal(("truncate: must be true or false.", true), await Call(client, "search_account", ("account", SharedEmail), ("truncate", "no")));
        Assert.Equal(("domain: must be a string.", true), await Call(client, "list_breaches", ("domain", true)));
    }

    [Fact]
    public async Task Mcp_WithoutOrWithInvalidKey_Refused401LikeTheV3Api()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await Assert.ThrowsAnyAsync<Exception>(async () => await Connect(server, key: null));
        await Assert.ThrowsAnyAsync<Exception>(async () => await Connect(server, key: "0123456789abcdef0123456789abcdef"));

        using var c = server.Client();
        using var body = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json");
        using var r = await c.PostAsync("/mcp", body);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("Access denied due to missing hibp-api-key.", await r.Content.ReadAsStringAsync());
        using var noUa = server.Client(f.Key, userAgent: null);
        using var body2 = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Forbidden, (await noUa.PostAsync("/mcp", body2)).StatusCode);
    }

    [Fact]
    public async Task SearchAccount_OverTheKeysRate_ToolErrorWithRetryTime_SharedWithHttp()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        // 2 requests per minute: one HTTP search and one tool call take both.
        Assert.Equal("""[{"Name":"Alpha"},{"Name":"Beta"}]""", await Http(server, f.SlowKey, "/api/v3/breachedaccount/" + Uri.EscapeDataString(SharedEmail)));
        await using var client = await Connect(server, f.SlowKey);
        Assert.Equal(("""[{"Name":"Alpha"},{"Name":"Beta"}]""", false), await Call(client, "search_account", ("account", SharedEmail)));
        Assert.Equal(("Rate limit is exceeded. Try again in 30 seconds.", true), await Call(client, "search_account", ("account", SharedEmail)));
        Assert.Equal(("Rate limit is exceeded. Try again in 30 seconds.", true), await Call(client, "list_breaches"));
        using var c = server.Client(f.SlowKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(SharedEmail))).StatusCode);
    }

    [Fact]
    public async Task SearchAccount_BotWalkingConsecutivePhones_BlockedAndAudited()
    {
        var clock = new ManualTimeProvider();
        var logs = new CapturingLoggerProvider();
        await using var server = await RunningServer.StartAsync(f.Options() with { TimeProvider = clock, ConfigureLogging = l => l.AddProvider(logs) });
        await using var client = await Connect(server, f.BotKey);
        var run = f.Alpha.LongestPlantedRun!;
        int? blockedAt = null;
        for (var i = 0; i < 200 && blockedAt is null; i++)
        {
            var (text, error) = await Call(client, "search_account", ("account", ServerFixture.Plus(run.Start + (ulong)i)));
            clock.Advance(TimeSpan.FromSeconds(1));
            if (error)
            {
                blockedAt = i;
                Assert.Matches("^Rate limit is exceeded. Try again in [0-9]+ seconds.$", text);
            }
        }

        Assert.NotNull(blockedAt);
        // Blocked for every account now, over MCP and HTTP alike.
        Assert.True((await Call(client, "search_account", ("account", SharedEmail))).IsError);
        using var c = server.Client(f.BotKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(SharedEmail))).StatusCode);
        var audit = Assert.Single(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal));
        Assert.Contains($"client key {f.BotKeyId},", audit, StringComparison.Ordinal);
        Assert.Contains("sequential-phones", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAccount_OptedOut_AnsweredAsInNoBreach()
    {
        await using var server = await RunningServer.StartAsync(f.Options());
        await using var client = await Connect(server, f.Key);
        var hidden = SharedEmail;
        Assert.Equal(("""[{"Name":"Alpha"},{"Name":"Beta"}]""", false), await Call(client, "search_account", ("account", hidden)));

        var exposure = server.App.Services.GetRequiredService<ExposureService>();
        var state = exposure.Acquire();
        UInt128 key;
        try
        {
            state.TryKey(hidden, exposure.Phones, out key);
        }
        finally
        {
            state.Release();
        }

        var matchKey = new byte[10];
        IndexKeys.WriteBigEndian(key, matchKey);
        server.App.Services.GetRequiredService<OptOutFilter>().Add(new OptOutRecord(matchKey, null));

        Assert.Equal(("No breaches: this account is in no breach known to this server.", false), await Call(client, "search_account", ("account", hidden)));
        Assert.Equal(("No breaches: this account is in no breach known to this server.", false),
            await Call(client, "search_account", ("account", hidden.ToUpperInvariant()), ("truncate", false)));
        using var c = server.Client(f.Key);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(hidden))).StatusCode);
    }

    [Fact]
    public async Task Logs_ManyToolCalls_NeverContainAnAccountOrTheKey()
    {
        var logs = new CapturingLoggerProvider();
        var accounts = new List<string>();
        await using (var server = await RunningServer.StartAsync(f.Options() with { ConfigureLogging = l => l.AddProvider(logs) }))
        {
            await using var client = await Connect(server, f.LogKey);
            accounts.AddRange(f.Alpha.Emails!.Take(20));
            accounts.AddRange(Enumerable.Range(0, 5).Select(i => $"absent.mcp{i}@example.com"));
            accounts.AddRange(f.Beta.Phones!.Take(20).Select(ServerFixture.Plus));
            accounts.Add("definitely-not-valid-account");
            accounts.Add("account-exists@hibp-integration-tests.com");
            foreach (var account in accounts)
            {
                await Call(client, "search_account", ("account", account), ("truncate", false));
                await Call(client, "domain_search", ("domain", account));
            }

            // Arguments of the wrong type make the SDK fail the call: still nothing logged about them.
            foreach (var account in accounts.Take(5))
            {
                await client.CallToolAsync("search_account", new Dictionary<string, object?> { ["account"] = account, ["truncate"] = account });
            }
        }

        var text = string.Join('\n', logs.Lines);
        Assert.Contains("Serving index generation", text, StringComparison.Ordinal);
        var leaks = accounts.Concat(accounts.Select(a => a.TrimStart('+'))).SelectMany(Forms)
            .Where(form => text.Contains(form, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Empty(leaks);
        Assert.DoesNotContain(f.LogKey, text, StringComparison.OrdinalIgnoreCase);
    }

    private static IEnumerable<string> Forms(string text)
    {
        yield return text;
        yield return text.ToLowerInvariant();
        var bytes = Encoding.UTF8.GetBytes(text);
        foreach (var hash in new[] { SHA1.HashData(bytes), SHA256.HashData(bytes) })
        {
            yield return Convert.ToHexString(hash);
            yield return Convert.ToBase64String(hash);
        }
    }
}

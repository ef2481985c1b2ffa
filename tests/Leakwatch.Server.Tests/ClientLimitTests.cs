using Leakwatch.Catalog.State;
using System.Net;
using System.Text;
using Leakwatch.Catalog;
using Leakwatch.Privacy.Buckets;
using Microsoft.Extensions.DependencyInjection;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Per-client limits as a client behind a trusted proxy sees them: IPv6 clients counted per /64, the range and
/// private-evaluation limits keyed by the forwarded client only when the peer is a trusted proxy, the global
/// private-evaluation budget, and the allowance of invalid API keys. Each server here is on a tiny data dir of its own.
/// </summary>
public sealed class ClientLimitTests(ClientLimitTests.TinyDataDir data) : IClassFixture<ClientLimitTests.TinyDataDir>
{
    private static readonly string EvaluateBody = $$"""{"bucket":0,"blindedElement":"{{Convert.ToBase64String(PrivateLookupClient.Prepare("email:x@example.com"u8.ToArray(), new PrivateLayout([(0, 0)]))!.BlindedElement)}}"}""";
    private readonly TempDir _dir = data.Dir;
    private readonly string _key = data.Key;

    /// <summary>One breach, one password store and one key, shared: every test starts its own server on it.</summary>
    public sealed class TinyDataDir : IDisposable
    {
        public TinyDataDir()
        {
            var dump = Dir.File("tiny.csv");
            File.WriteAllText(dump, "email\nsomeone@example.com\n");
            Dir.Ingest(dump, "Tiny");
            var passwords = Dir.File("passwords.txt");
            File.WriteAllLines(passwords, ["password", "hunter2"]);
            Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", Dir.DataDir, "ingest-passwords", passwords, "--mode", "plain"]).ExitCode);
            using var keys = SqliteStateStore.Open(Dir.DataDir);
            Key = keys.CreateKey("limits", 1_000_000, DateTimeOffset.UtcNow).Secret;
        }

        public TempDir Dir { get; } = new();

        public string Key { get; }

        public void Dispose() => Dir.Dispose();
    }

    private Task<RunningServer> Start(ServerOptions options) => RunningServer.StartAsync(options with { DataDir = _dir.DataDir, KeyFilePath = _dir.KeyFile });

    private static ServerOptions Behind(params string[] trusted) => new() { DataDir = "", ConsoleLogging = false, TrustedProxies = trusted };

    private static async Task<HttpStatusCode> Send(HttpClient c, HttpMethod method, string path, string? forwardedFor, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("hibp-api-key", apiKey);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(EvaluateBody, Encoding.UTF8, "application/json");
        }

        using var response = await c.SendAsync(request);
        return response.StatusCode;
    }

    private static Task<HttpStatusCode> Catalogue(HttpClient c, string? from) => Send(c, HttpMethod.Get, "/api/v3/breaches", from);

    private static Task<HttpStatusCode> Range(HttpClient c, string? from) => Send(c, HttpMethod.Get, "/range/5BAA6", from);

    // No private index here: an evaluation that passes the limits is a 404, one refused by them a 429.
    private static Task<HttpStatusCode> Evaluate(HttpClient c, string? from) => Send(c, HttpMethod.Post, "/api/private/evaluate", from);

    [Fact]
    public async Task AnonymousLimit_IPv6Clients_CountedPerSlash64()
    {
        await using var server = await Start(Behind("127.0.0.1") with { AnonymousRpm = 2 });
        using var c = server.Client();
        Assert.Equal(HttpStatusCode.OK, await Catalogue(c, "2001:db8:1:2::1"));
        Assert.Equal(HttpStatusCode.OK, await Catalogue(c, "2001:db8:1:2:ffff:ffff:ffff:fffe"));
        // A third address in the same /64 is the same client.
        Assert.Equal(HttpStatusCode.TooManyRequests, await Catalogue(c, "2001:db8:1:2:1234::9"));
        // The next /64 is another client; IPv4 stays per address.
        Assert.Equal(HttpStatusCode.OK, await Catalogue(c, "2001:db8:1:3::1"));
        Assert.Equal(HttpStatusCode.OK, await Catalogue(c, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.OK, await Catalogue(c, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Catalogue(c, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.OK, await Catalogue(c, "203.0.113.2"));
    }

    [Fact]
    public async Task RangeRpm_TrustedProxy_LimitsEachForwardedClientPerSlash64()
    {
        await using var server = await Start(Behind("127.0.0.1") with { RangeRpm = 2 });
        using var c = server.Client(userAgent: null);
        Assert.Equal(HttpStatusCode.OK, await Range(c, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.OK, await Range(c, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Range(c, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.OK, await Range(c, "198.51.100.8"));
        Assert.Equal(HttpStatusCode.OK, await Range(c, "2001:db8:7::1"));
        Assert.Equal(HttpStatusCode.OK, await Range(c, "2001:db8:7::2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Range(c, "2001:db8:7::3"));
    }

    [Fact]
    public async Task RangeRpm_UntrustedPeer_ForwardedForIgnored()
    {
        await using var server = await Start(Behind("192.0.2.0/24") with { RangeRpm = 2 });
        using var c = server.Client(userAgent: null);
        Assert.Equal(HttpStatusCode.OK, await Range(c, "198.51.100.7"));
        Assert.Equal(HttpStatusCode.OK, await Range(c, "198.51.100.8"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Range(c, "198.51.100.9"));
    }

    [Fact]
    public async Task RangeRpm_Zero_NoLimit()
    {
        await using var server = await Start(Behind() with { RangeRpm = 0, AnonymousRpm = 1 });
        using var c = server.Client(userAgent: null);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await Range(c, null));
        }
    }

    [Fact]
    public async Task PrivateEvaluate_TrustedProxy_LimitsEachForwardedClientPerSlash64()
    {
        await using var server = await Start(Behind("127.0.0.1") with { PrivateRpm = 2 });
        using var c = server.Client();
        Assert.Equal(HttpStatusCode.NotFound, await Evaluate(c, "2001:db8:5:5::1"));
        Assert.Equal(HttpStatusCode.NotFound, await Evaluate(c, "2001:db8:5:5::2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Evaluate(c, "2001:db8:5:5::3"));
        Assert.Equal(HttpStatusCode.NotFound, await Evaluate(c, "2001:db8:5:6::1"));
        Assert.Equal(HttpStatusCode.NotFound, await Evaluate(c, "198.51.100.20"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("192.0.2.0/24")]
    public async Task PrivateEvaluate_UntrustedPeer_ForwardedForIgnored(string? trusted)
    {
        await using var server = await Start(Behind(trusted is null ? [] : [trusted]) with { PrivateRpm = 2 });
        using var c = server.Client();
        Assert.Equal(HttpStatusCode.NotFound, await Evaluate(c, "198.51.100.20"));
        Assert.Equal(HttpStatusCode.NotFound, await Evaluate(c, "198.51.100.21"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Evaluate(c, "198.51.100.22"));
    }

    [Fact]
    public async Task PrivateEvaluate_OverGlobalBudget_429ForClientsWithinTheirOwnLimit()
    {
        await using var server = await Start(Behind("127.0.0.1") with { PrivateRpm = 1000, PrivateGlobalRps = 1, MetricsUrls = "http://127.0.0.1:0" });
        using var c = server.Client();
        var refused = 0;
        var answered = 0;
        for (var i = 0; i < 8; i++)
        {
            // Every request from another client, each far inside its own limit.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/private/evaluate")
            {
                Content = new StringContent(EvaluateBody, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            using var r = await c.SendAsync(request);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused++;
                Assert.Equal("1", r.Headers.GetValues("retry-after").Single());
                Assert.Equal("no-store", r.Headers.CacheControl!.ToString());
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
                answered++;
            }
        }

        // A budget of one a second: the first is answered, and eight requests in a row cannot all find a new token.
        Assert.InRange(answered, 1, 7);
        Assert.InRange(refused, 1, 7);
        using var scraper = server.MetricsClient();
        Assert.Contains($"leakwatch_rate_limit_rejections_total{{scope=\"private-global\"}} {refused}", await scraper.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedKeys_PastAllowance_NetworkGets429EvenWithAValidKeyUntilItRefills()
    {
        var clock = new ManualTimeProvider();
        await using var server = await Start(Behind("127.0.0.1") with { FailedKeyRpm = 3, TimeProvider = clock });
        using var c = server.Client();
        const string path = "/api/v3/breachedaccount/someone%40example.com";
        const string wrong = "0123456789abcdef0123456789abcdef";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await Send(c, HttpMethod.Get, path, "2001:db8:9:9::1", wrong));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await Send(c, HttpMethod.Get, path, "2001:db8:9:9::1", wrong));
        // The whole /64 is refused, valid key or not: an answer past the allowance would still tell a guess.
        Assert.Equal(HttpStatusCode.TooManyRequests, await Send(c, HttpMethod.Get, path, "2001:db8:9:9::77", _key));
        // Other clients are untouched.
        Assert.Equal(HttpStatusCode.OK, await Send(c, HttpMethod.Get, path, "2001:db8:9:a::1", _key));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(c, HttpMethod.Get, path, "203.0.113.9", wrong));

        // Three a minute: one more failure is allowed 20 s later, then refused again.
        clock.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal(HttpStatusCode.OK, await Send(c, HttpMethod.Get, path, "2001:db8:9:9::1", _key));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(c, HttpMethod.Get, path, "2001:db8:9:9::1", wrong));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Send(c, HttpMethod.Get, path, "2001:db8:9:9::1", wrong));
    }

    [Fact]
    public async Task Metrics_WithoutMetricsUrls_NotServedAnywhere()
    {
        await using var server = await Start(Behind());
        using var c = server.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/metrics")).StatusCode);
        Assert.Empty(server.App.Services.GetRequiredService<MetricsListener>().Addresses);
    }
}

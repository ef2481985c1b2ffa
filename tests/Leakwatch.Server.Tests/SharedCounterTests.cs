using Leakwatch.Catalog.State;
using System.Globalization;
using System.Net;
using System.Text;
using Leakwatch.Catalog;
using Leakwatch.Privacy.Buckets;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary>
/// <c>serve --redis</c>: two servers in this process (two replicas on loopback ports, one data dir) and one real Redis
/// started by <c>scripts/redis.sh</c>. Limits, budgets, the failed-key allowance and the enumeration detector hold
/// for the pair as for one server; with Redis stopped account search fails closed and ranges keep serving; and the
/// servers recover by themselves when it is back. Both servers share a clock the test moves, so nothing refills.
/// </summary>
public sealed class SharedCounterTests(SharedCounterTests.Cluster cluster) : IClassFixture<SharedCounterTests.Cluster>
{
    private const string Account = "/api/v3/breachedaccount/someone%40example.com";
    private const string WrongKey = "0123456789abcdef0123456789abcdef";
    private static readonly string EvaluateBody = $$"""{"bucket":0,"blindedElement":"{{Convert.ToBase64String(PrivateLookupClient.Prepare("email:x@example.com"u8.ToArray(), new PrivateLayout([(0, 0)]))!.BlindedElement)}}"}""";

    /// <summary>One Redis, one tiny data dir with a key of 5 rpm and a fast one; each test starts its own pair.</summary>
    public sealed class Cluster : IDisposable
    {
        public Cluster()
        {
            var dump = Dir.File("tiny.csv");
            File.WriteAllText(dump, "email\nsomeone@example.com\n");
            Dir.Ingest(dump, "Tiny");
            var passwords = Dir.File("passwords.txt");
            File.WriteAllLines(passwords, ["password", "hunter2"]);
            Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", Dir.DataDir, "--key-file", Dir.KeyFile, "ingest-passwords", passwords, "--mode", "plain"]).ExitCode);
            using var keys = SqliteStateStore.Open(Dir.DataDir);
            FiveRpmKey = keys.CreateKey("five", 5, DateTimeOffset.UtcNow).Secret;
            var leased = keys.CreateKey("leased", 1_800, DateTimeOffset.UtcNow);
            LeasedKey = leased.Secret;
            LeasedKeyId = leased.Key.Id;
            var fast = keys.CreateKey("fast", 1_000_000, DateTimeOffset.UtcNow);
            FastKey = fast.Secret;
            FastKeyId = fast.Key.Id;
        }

        public TempDir Dir { get; } = new();

        internal RedisServer Redis { get; } = new();

        public string FiveRpmKey { get; }

        public string FastKey { get; }

        /// <summary>1,800 rpm: leases of 3 tokens.</summary>
        public string LeasedKey { get; }

        public int LeasedKeyId { get; }

        public int FastKeyId { get; }

        public void Dispose()
        {
            Redis.Dispose();
            Dir.Dispose();
        }
    }

    private sealed class Pair : IAsyncDisposable
    {
        public required RunningServer A { get; init; }

        public required RunningServer B { get; init; }

        public required ManualTimeProvider Clock { get; init; }

        public required CapturingLoggerProvider Logs { get; init; }

        public RunningServer this[int i] => i % 2 == 0 ? A : B;

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    private async Task<Pair> StartPair(Func<ServerOptions, ServerOptions>? configure = null, bool redis = true)
    {
        cluster.Redis.FlushAll();
        var clock = new ManualTimeProvider();
        var logs = new CapturingLoggerProvider();
        var options = new ServerOptions
        {
            DataDir = cluster.Dir.DataDir,
            KeyFilePath = cluster.Dir.KeyFile,
            ConsoleLogging = false,
            Redis = redis ? cluster.Redis.Endpoint : null,
            TimeProvider = clock,
            TrustedProxies = ["127.0.0.1"],
            ConfigureLogging = l => l.AddProvider(logs),
        };
        options = configure?.Invoke(options) ?? options;
        var a = await RunningServer.StartAsync(options);
        var b = await RunningServer.StartAsync(options);
        return new Pair { A = a, B = b, Clock = clock, Logs = logs };
    }

    private static async Task<HttpResponseMessage> Send(RunningServer server, HttpMethod method, string path, string? apiKey = null, string? forwardedFor = null)
    {
        using var c = server.Client(apiKey);
        using var request = new HttpRequestMessage(method, path);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(EvaluateBody, Encoding.UTF8, "application/json");
        }

        return await c.SendAsync(request);
    }

    private static string Phone(int i) => "+1650253" + (1000 + i).ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(true, 5)]
    [InlineData(false, 10)]
    public async Task KeyOf5Rpm_BurstOverTwoServers_FiveAnsweredWithRedisTenWithout(bool redis, int expected)
    {
        await using var pair = await StartPair(redis: redis);
        var burst = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Send(pair[i], HttpMethod.Get, Account, cluster.FiveRpmKey)));
        Assert.Equal(expected, burst.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(30 - expected, burst.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        if (redis)
        {
            // One token every 12 s, on a clock that does not move.
            Assert.All(burst.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests), r => Assert.Equal("12", r.Headers.GetValues("retry-after").Single()));
        }
    }

    /// <summary>Calls made at once go to Redis in shared batches, and each still gets its own bucket's answer: bucket
    /// i holds i % 3 + 1 tokens and is asked 4 times, all 1,200 calls in flight together.</summary>
    [Fact]
    public async Task ConcurrentCalls_GroupCommitted_EachGetsItsOwnBucketsAnswer()
    {
        cluster.Redis.FlushAll();
        using var redis = new RedisCounters(cluster.Redis.Endpoint, new ManualTimeProvider(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var calls = new List<(int Bucket, Task<SharedVerdict> Verdict)>();
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 300; i++)
            {
                calls.Add((i, redis.TakeAsync([new SharedBucket("lw:test:" + i.ToString(CultureInfo.InvariantCulture), i % 3 + 1, TimeSpan.FromMinutes(1))])));
            }
        }

        await Task.WhenAll(calls.Select(c => c.Verdict));
        for (var i = 0; i < 300; i++)
        {
            var mine = calls.Where(c => c.Bucket == i).Select(c => c.Verdict.Result).ToList();
            Assert.Equal(i % 3 + 1, mine.Count(v => v.Outcome == SharedOutcome.Allowed));
            Assert.Equal(4 - (i % 3 + 1), mine.Count(v => v.Outcome == SharedOutcome.Refused));
        }

        Assert.InRange(redis.BatchesSent, 1, calls.Count / 4);
    }

    /// <summary>A key of 1,800 rpm takes its tokens from Redis 3 at a time (100 ms of its rate), and still gets
    /// exactly its 1,800 over two servers on a clock that does not move: a lease only spends what Redis gave.</summary>
    [Fact]
    public async Task LeasedKey_AlternatingServers_TokensTakenThreeAtATime_ExactlyItsRateAnswered()
    {
        await using var pair = await StartPair();
        var bucket = "lw:tb:g:k" + cluster.LeasedKeyId.ToString(CultureInfo.InvariantCulture) + ":1800";
        Assert.Equal(HttpStatusCode.OK, (await Send(pair.A, HttpMethod.Get, Account, cluster.LeasedKey)).StatusCode);
        Assert.Equal("1797", cluster.Redis.Cli("HGET", bucket, "t"));
        Assert.Equal(HttpStatusCode.OK, (await Send(pair.A, HttpMethod.Get, Account, cluster.LeasedKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(pair.A, HttpMethod.Get, Account, cluster.LeasedKey)).StatusCode);
        Assert.Equal("1797", cluster.Redis.Cli("HGET", bucket, "t"));
        Assert.Equal(HttpStatusCode.OK, (await Send(pair.A, HttpMethod.Get, Account, cluster.LeasedKey)).StatusCode);
        Assert.Equal("1794", cluster.Redis.Cli("HGET", bucket, "t"));

        var ok = 4;
        var refused = 0;
        for (var i = 0; i < 1_850; i++)
        {
            var status = (await Send(pair[i], HttpMethod.Get, Account, cluster.LeasedKey)).StatusCode;
            ok += status == HttpStatusCode.OK ? 1 : 0;
            refused += status == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        Assert.Equal(1_800, ok);
        Assert.Equal(1_854 - 1_800, refused);
    }

    /// <summary>On a clock that does not move, every lookup after a client's first is judged in the background
    /// (<see cref="SharedScrapingDetector.VerdictFresh"/>): a walk over two servers is still blocked, at most
    /// <see cref="SharedScrapingDetector.MaxUnjudged"/> lookups per server past where the awaited walk is, and then on both servers.</summary>
    [Fact]
    public async Task PhoneWalk_JudgedInTheBackground_BlockedOnBothWithinAFewLookups()
    {
        await using var pair = await StartPair();
        int? blockedAt = null;
        for (var i = 0; i < 120 && blockedAt is null; i++)
        {
            var r = await Send(pair[i], HttpMethod.Get, "/api/v3/breachedaccount/" + Uri.EscapeDataString(Phone(i)), cluster.FastKey);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                blockedAt = i;
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            }
        }

        Assert.NotNull(blockedAt);
        Assert.InRange(blockedAt.Value, 29, 40 + 2 * SharedScrapingDetector.MaxUnjudged);
        // The other server learns of the block from its next lookup's judgement at the latest.
        var next = pair[blockedAt.Value + 1];
        var first = (await Send(next, HttpMethod.Get, "/api/v3/breachedaccount/" + Uri.EscapeDataString(Phone(200)), cluster.FastKey)).StatusCode;
        Assert.True(first is HttpStatusCode.TooManyRequests or HttpStatusCode.NotFound, first.ToString());
        await WaitFor429(next);
        await WaitFor429(pair[blockedAt.Value]);
    }

    /// <summary>A fast key's lookups answered at once are gathered and sent together: 150 lookups over two servers are
    /// all recorded in Redis (the last ones within <see cref="SharedScrapingDetector.FlushInterval"/>), in far fewer
    /// script calls than lookups.</summary>
    [Fact]
    public async Task Lookups_GatheredPerClient_AllRecorded_InFarFewerCallsThanLookups()
    {
        await using var pair = await StartPair();
        cluster.Redis.Cli("CONFIG", "RESETSTAT");
        const int lookups = 150;
        for (var i = 0; i < lookups; i++)
        {
            var account = i % 2 == 0 ? Account : "/api/v3/breachedaccount/nobody" + i.ToString(CultureInfo.InvariantCulture) + "%40example.com";
            var status = (await Send(pair[i], HttpMethod.Get, account, cluster.FastKey)).StatusCode;
            Assert.Equal(i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.NotFound, status);
        }

        var list = "lw:d:k" + cluster.FastKeyId.ToString(CultureInfo.InvariantCulture) + ":l";
        var recorded = 0;
        for (var wait = 0; wait < 100 && recorded < lookups; wait++)
        {
            await Task.Delay(20);
            recorded = int.Parse(cluster.Redis.Cli("LLEN", list), CultureInfo.InvariantCulture);
        }

        Assert.Equal(lookups, recorded);
        var hits = cluster.Redis.Cli("LRANGE", list, "0", "-1").Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(e => e.Split(':')[1] == "1");
        Assert.Equal(lookups / 2, hits);
        Assert.Equal((lookups / 2).ToString(CultureInfo.InvariantCulture), cluster.Redis.Cli("HGET", "lw:d:k" + cluster.FastKeyId.ToString(CultureInfo.InvariantCulture), "lh"));

        // Each server's first lookup waits for its own call; the others go FlushAt at a time, or when the timer finds them.
        var stats = cluster.Redis.Cli("INFO", "commandstats");
        var calls = ScriptCalls(stats, "evalsha") + ScriptCalls(stats, "eval");
        Assert.InRange(calls, 2, lookups / 4);
    }

    private static int ScriptCalls(string commandStats, string command)
    {
        var line = commandStats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_" + command + ":calls=", StringComparison.Ordinal));
        return line is null ? 0 : int.Parse(line.Split('=', ',')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>A phone walk sent 16 lookups at a time over two servers (as a fast scraper would): the servers answer
    /// lookups before Redis has judged them, yet the walk gets at most <see cref="SharedScrapingDetector.MaxUnjudged"/>
    /// answers per server past the 30 that trip the sequential-phones rule, and is then refused by both.</summary>
    [Fact]
    public async Task PhoneWalk_ConcurrentOverTwoServers_AtMostMaxUnjudgedPerServerPastTheTrip()
    {
        await using var pair = await StartPair();
        var answered = 0;
        var refused = 0;
        for (var wave = 0; wave < 16; wave++)
        {
            var statuses = await Task.WhenAll(Enumerable.Range(wave * 16, 16).Select(async i =>
                (await Send(pair[i], HttpMethod.Get, "/api/v3/breachedaccount/" + Uri.EscapeDataString(Phone(i)), cluster.FastKey)).StatusCode));
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.NotFound or HttpStatusCode.TooManyRequests, s.ToString()));
            answered += statuses.Count(s => s == HttpStatusCode.NotFound);
            refused += statuses.Count(s => s == HttpStatusCode.TooManyRequests);
        }

        Assert.InRange(answered, 16, 30 + 2 * SharedScrapingDetector.MaxUnjudged);
        Assert.Equal(16 * 16, answered + refused);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(pair.A, HttpMethod.Get, Account, cluster.FastKey)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(pair.B, HttpMethod.Get, Account, cluster.FastKey)).StatusCode);
        var audit = Assert.Single(pair.Logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal));
        Assert.Contains($"client key {cluster.FastKeyId}, rule sequential-phones", audit, StringComparison.Ordinal);
    }

    private async Task WaitFor429(RunningServer server)
    {
        for (var i = 0; i < 50; i++)
        {
            if ((await Send(server, HttpMethod.Get, Account, cluster.FastKey)).StatusCode == HttpStatusCode.TooManyRequests)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("never blocked on this server");
    }

    [Fact]
    public async Task FailedKeys_AlternatingServers_AllowanceHeldForBoth()
    {
        await using var pair = await StartPair(o => o with { FailedKeyRpm = 3 });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(pair[i], HttpMethod.Get, Account, WrongKey, "198.51.100.7")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(pair.B, HttpMethod.Get, Account, WrongKey, "198.51.100.7")).StatusCode);
        // Past the allowance the network is refused on both servers, valid key or not; other networks are not.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(pair.A, HttpMethod.Get, Account, cluster.FastKey, "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(pair.B, HttpMethod.Get, "/api/v3/subscription/status", cluster.FastKey, "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(pair.B, HttpMethod.Get, Account, cluster.FastKey, "198.51.100.8")).StatusCode);
    }

    [Fact]
    public async Task PrivateBudgets_AlternatingServers_PerClientAndGlobalHeldForBoth()
    {
        await using var pair = await StartPair(o => o with { PrivateRpm = 2, PrivateGlobalRps = 3 });
        // No private index here: an evaluation that passes the limits is a 404, one refused a 429.
        Assert.Equal(HttpStatusCode.NotFound, (await Send(pair.A, HttpMethod.Post, "/api/private/evaluate", forwardedFor: "203.0.113.1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(pair.B, HttpMethod.Post, "/api/private/evaluate", forwardedFor: "203.0.113.1")).StatusCode);
        var refused = await Send(pair.A, HttpMethod.Post, "/api/private/evaluate", forwardedFor: "203.0.113.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("30", refused.Headers.GetValues("retry-after").Single());
        Assert.Equal("no-store", refused.Headers.CacheControl!.ToString());

        // Two taken from the global budget of 3 a second: one more client is answered, then every client is refused.
        Assert.Equal(HttpStatusCode.NotFound, (await Send(pair.B, HttpMethod.Post, "/api/private/evaluate", forwardedFor: "203.0.113.2")).StatusCode);
        for (var i = 3; i < 7; i++)
        {
            var r = await Send(pair[i], HttpMethod.Post, "/api/private/evaluate", forwardedFor: $"203.0.113.{i}");
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Equal("1", r.Headers.GetValues("retry-after").Single());
        }
    }

    [Fact]
    public async Task PhoneWalk_SplitOverTwoServers_BlockedOnBoth_AndNoNumberInRedis()
    {
        await using var pair = await StartPair();
        int? blockedAt = null;
        for (var i = 0; i < 120 && blockedAt is null; i++)
        {
            // Each server alone sees a stride of 2, a run all the same; together they see one walk.
            var r = await Send(pair[i], HttpMethod.Get, "/api/v3/breachedaccount/" + Uri.EscapeDataString(Phone(i)), cluster.FastKey);
            pair.Clock.Advance(TimeSpan.FromSeconds(1));
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                blockedAt = i;
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            }
        }

        Assert.NotNull(blockedAt);
        Assert.InRange(blockedAt.Value, 29, 40);
        var audit = Assert.Single(pair.Logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal));
        Assert.Contains($"client key {cluster.FastKeyId}, rule sequential-phones", audit, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(pair.A, HttpMethod.Get, Account, cluster.FastKey)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(pair.B, HttpMethod.Get, Account, cluster.FastKey)).StatusCode);

        // What Redis holds names no phone number: no key or value contains the walk's digits.
        var keys = cluster.Redis.Cli("--scan").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(keys, k => k.StartsWith("lw:d:k", StringComparison.Ordinal));
        var dump = new StringBuilder();
        foreach (var k in keys)
        {
            dump.AppendLine(k).AppendLine(cluster.Redis.Cli("TYPE", k) switch
            {
                "list" => cluster.Redis.Cli("LRANGE", k, "0", "-1"),
                "hash" => cluster.Redis.Cli("HGETALL", k),
                _ => "",
            });
        }

        Assert.DoesNotContain("1650253", dump.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("someone", dump.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisStopped_AccountSearchAndEvaluate503_RangesAndCatalogueServe_ThenRecovers()
    {
        await using var pair = await StartPair();
        Assert.Equal(HttpStatusCode.OK, (await Send(pair.A, HttpMethod.Get, Account, cluster.FastKey)).StatusCode);
        cluster.Redis.Stop();
        try
        {
            HttpResponseMessage? r = null;
            for (var i = 0; i < 100 && r?.StatusCode != HttpStatusCode.ServiceUnavailable; i++)
            {
                r = await Send(pair[i], HttpMethod.Get, Account, cluster.FastKey);
                await Task.Delay(50);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, r!.StatusCode);
            Assert.Equal("no-store", r.Headers.CacheControl!.ToString());
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Send(pair[i], HttpMethod.Get, Account, cluster.FastKey)).StatusCode);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Send(pair[i], HttpMethod.Post, "/api/private/evaluate")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await Send(pair[i], HttpMethod.Get, "/range/5BAA6")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await Send(pair[i], HttpMethod.Get, "/api/v3/breaches")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await Send(pair[i], HttpMethod.Get, "/")).StatusCode);
            }

            // One line per server for the outage, not one per request.
            var outage = pair.Logs.Lines.Where(l => l.StartsWith("Leakwatch.Redis Error", StringComparison.Ordinal)).ToList();
            Assert.InRange(outage.Count, 1, 2);
            Assert.Contains("account search and private evaluation answer 503", outage[0], StringComparison.Ordinal);
        }
        finally
        {
            cluster.Redis.Start();
        }

        // Both servers reconnect by themselves (each on its own retry schedule) and answer again.
        var recovered = new bool[2];
        for (var i = 0; i < 300 && !(recovered[0] && recovered[1]); i++)
        {
            recovered[i % 2] |= (await Send(pair[i], HttpMethod.Get, Account, cluster.FastKey)).StatusCode == HttpStatusCode.OK;
            await Task.Delay(50);
        }

        Assert.True(recovered[0] && recovered[1], $"recovered: A {recovered[0]}, B {recovered[1]}");
        Assert.Contains(pair.Logs.Lines, l => l.StartsWith("Leakwatch.Redis Information 4102", StringComparison.Ordinal));
    }
}

using System.Diagnostics;
using System.Net;

namespace Leakwatch.Cluster.Tests;

/// <summary>
/// Issue 14's cluster: three replicas behind nginx over PostgreSQL (state) and Redis (counters), started by
/// <c>deploy/cluster.sh</c>. Each test leaves the cluster as it found it (a stopped server is started again).
/// </summary>
public sealed class ClusterTests : IClassFixture<ClusterFixture>, IDisposable
{
    private readonly ClusterFixture _f;
    private readonly Cluster _c;
    private readonly HttpClient _http;

    public ClusterTests(ClusterFixture f)
    {
        _f = f;
        _c = f.Cluster;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(20) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("leakwatch-cluster-tests/1");
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Account(Uri baseUrl, string account, string key)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "/api/v3/breachedaccount/" + Uri.EscapeDataString(account)));
        req.Headers.Add("hibp-api-key", key);
        return req;
    }

    private async Task<(HttpStatusCode Status, string Body)> Send(HttpRequestMessage req)
    {
        using (req)
        {
            using var res = await _http.SendAsync(req);
            return (res.StatusCode, await res.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Sends where an answer is required: a replica that refuses the connection fails the test with the
    /// cluster's state and logs.</summary>
    private async Task<(HttpStatusCode Status, string Body)> SendOrDiagnose(HttpRequestMessage req)
    {
        try
        {
            return await Send(req);
        }
        catch (HttpRequestException e)
        {
            Assert.Fail($"{req.RequestUri}: {e.Message}\n{_c.Diagnostics()}");
            throw;
        }
    }

    /// <summary>Polls until <paramref name="done"/> holds; the time it took, or a failure after <paramref name="limit"/>.</summary>
    private async Task<TimeSpan> Within(TimeSpan limit, Func<Task<bool>> done, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await done())
                {
                    return sw.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet counts as not done.
            }

            if (sw.Elapsed >= limit)
            {
                Assert.Fail($"{what}: not within {limit.TotalSeconds} s\n{_c.Diagnostics()}");
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task KeyCreatedThroughTheCliWorksThroughEveryReplica()
    {
        var key = _c.CreateKey(rpm: 1000);
        foreach (var replica in _c.ReplicaUrls)
        {
            // Answered, not refused: 200 with the base breach (a replica that had not seen the key would say 401).
            await Within(TimeSpan.FromSeconds(5), async () =>
            {
                var (status, body) = await Send(Account(replica, ClusterFixture.Account("base", 7), key));
                return status == HttpStatusCode.OK && body.Contains("ClusterBase", StringComparison.Ordinal);
            }, $"the new key on {replica}");
        }

        var (lbStatus, _) = await Send(Account(_c.Lb, "nobody@nowhere.example.com", key));
        Assert.Equal(HttpStatusCode.NotFound, lbStatus);
        var (badStatus, _) = await Send(Account(_c.Lb, ClusterFixture.Account("base", 7), new string('a', 32)));
        Assert.Equal(HttpStatusCode.Unauthorized, badStatus);
    }

    [Fact]
    public async Task KeyWithRpmFiveGetsExactlyFiveAnswersWhicheverReplicasAnswer()
    {
        var throughLb = _c.CreateKey(rpm: 5);
        var direct = _c.CreateKey(rpm: 5);
        // No request may spend these keys before the burst, so the test waits out the documented bound (5 s)
        // instead of asking; KeyCreatedThroughTheCliWorksThroughEveryReplica times that bound itself.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var sw = Stopwatch.StartNew();
        var answeredLb = 0;
        var answeredDirect = 0;
        for (var i = 0; i < 15; i++)
        {
            // nginx sends one request after another round robin over the three replicas.
            var (status, _) = await Send(Account(_c.Lb, ClusterFixture.Account("base", i), throughLb));
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"request {i} through nginx: {status}");
            answeredLb += status == HttpStatusCode.OK ? 1 : 0;
            // And straight at replica 1, 2, 3, 1, ...: the key's bucket is one for the cluster, not one per replica.
            (status, _) = await SendOrDiagnose(Account(_c.ReplicaUrls[i % Cluster.Replicas], ClusterFixture.Account("base", i), direct));
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"request {i} to replica {i % Cluster.Replicas + 1}: {status}");
            answeredDirect += status == HttpStatusCode.OK ? 1 : 0;
        }

        // rpm 5 is a bucket of 5 refilled one request every 12 s; a burst shorter than that gets exactly 5.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(12), $"the burst took {sw.Elapsed}, too slow to count exactly");
        Assert.Equal(5, answeredLb);
        Assert.Equal(5, answeredDirect);
    }

    private Task WaitForKeyEverywhere(string key) =>
        Within(TimeSpan.FromSeconds(5), async () =>
        {
            foreach (var replica in _c.ReplicaUrls)
            {
                using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(replica, "/api/v3/subscription/status"));
                req.Headers.Add("hibp-api-key", key);
                if ((await Send(req)).Status != HttpStatusCode.OK)
                {
                    return false;
                }
            }

            return true;
        }, "the key on every replica");

    [Fact]
    public async Task NewBreachReachesEveryReplicaWithinFiveSecondsWithNoFailedRequest()
    {
        var key = _c.CreateKey(rpm: 10_000_000);
        await WaitForKeyEverywhere(key);
        var dump = _f.WriteDump("fresh", 500);
        await using var load = new Load(_http, 8, i => Account(_c.Lb, ClusterFixture.Account("base", i % ClusterFixture.Accounts), key),
            s => s == HttpStatusCode.OK);
        _c.CliOk("ingest", dump, "--breach", "ClusterFresh", "--format", "csv");
        var published = Stopwatch.StartNew();
        var seen = new TimeSpan[Cluster.Replicas];
        for (var r = 0; r < Cluster.Replicas; r++)
        {
            var replica = _c.ReplicaUrls[r];
            await Within(TimeSpan.FromSeconds(5) - published.Elapsed, async () =>
            {
                var (status, body) = await Send(Account(replica, ClusterFixture.Account("fresh", 3), key));
                return status == HttpStatusCode.OK && body.Contains("ClusterFresh", StringComparison.Ordinal);
            }, $"the new breach on {replica}");
            seen[r] = published.Elapsed;
        }

        await Task.Delay(1000);
        await load.StopAsync();
        Assert.True(load.Ok > 100, $"only {load.Ok} requests answered during the switch");
        Assert.True(load.Failures.Count == 0, $"{load.Failures.Count} failed during the switch, e.g. {load.Failures.FirstOrDefault()}\n{_c.Diagnostics()}");
        _c.CliOk("remove", "ClusterFresh");
    }

    [Fact]
    public async Task KillingAReplicaUnderLoadLosesNoRequest()
    {
        var key = _c.CreateKey(rpm: 10_000_000);
        await WaitForKeyEverywhere(key);
        try
        {
            await using var load = new Load(_http, 8, i => Account(_c.Lb, ClusterFixture.Account("base", i % ClusterFixture.Accounts), key),
                s => s == HttpStatusCode.OK);
            await Task.Delay(1000);
            var before = load.Ok;
            _c.Script("replica", "2", "kill");
            await Task.Delay(3000);
            await load.StopAsync();
            Assert.True(load.Ok > before + 100, $"the load stalled after the kill ({before} → {load.Ok})");
            Assert.True(load.Failures.Count == 0, $"{load.Failures.Count} failed, e.g. {load.Failures.FirstOrDefault()}\n{_c.Diagnostics()}");
        }
        finally
        {
            _c.Script("replica", "2", "start");
        }
    }

    [Fact]
    public async Task AfterAPostgresRestartReplicasReconnectWithinTenSeconds()
    {
        var key = _c.CreateKey(rpm: 10_000);
        await WaitForKeyEverywhere(key);
        ServiceScript.Run(ServiceScript.Script("postgres.sh"), "restart", _c.PostgresDir);
        var restarted = Stopwatch.StartNew();
        await Within(TimeSpan.FromSeconds(10), async () =>
            (await Send(Account(_c.Lb, ClusterFixture.Account("base", 1), key))).Status == HttpStatusCode.OK, "account search after the restart");
        // Reconnected, not only serving from memory: a key made after the restart reaches every replica.
        var after = _c.CreateKey(rpm: 100);
        await Within(TimeSpan.FromSeconds(10) - restarted.Elapsed + TimeSpan.FromSeconds(5), async () =>
        {
            foreach (var replica in _c.ReplicaUrls)
            {
                if ((await Send(Account(replica, ClusterFixture.Account("base", 2), after))).Status != HttpStatusCode.OK)
                {
                    return false;
                }
            }

            return true;
        }, "a key created after the restart, on every replica");
    }

    [Fact]
    public async Task WithRedisStoppedAccountSearchFailsClosedAndRangesStillServe()
    {
        var key = _c.CreateKey(rpm: 10_000);
        await WaitForKeyEverywhere(key);
        try
        {
            ServiceScript.Run(ServiceScript.Script("redis.sh"), "stop", _c.RedisDir);
            await Within(TimeSpan.FromSeconds(10), async () =>
                (await Send(Account(_c.Lb, ClusterFixture.Account("base", 1), key))).Status == HttpStatusCode.ServiceUnavailable,
                "503 for account search without Redis");
            for (var r = 0; r < Cluster.Replicas; r++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Send(Account(_c.ReplicaUrls[r], ClusterFixture.Account("base", 1), key))).Status);
                Assert.Equal(HttpStatusCode.OK, (await Send(new HttpRequestMessage(HttpMethod.Get, new Uri(_c.ReplicaUrls[r], "/range/ABCDE")))).Status);
            }

            Assert.Equal(HttpStatusCode.OK, (await Send(new HttpRequestMessage(HttpMethod.Get, new Uri(_c.Lb, "/range/21BD1")))).Status);
            Assert.Equal(HttpStatusCode.OK, (await Send(new HttpRequestMessage(HttpMethod.Get, new Uri(_c.Lb, "/")))).Status);
        }
        finally
        {
            ServiceScript.Run(ServiceScript.Script("redis.sh"), "restart", _c.RedisDir);
        }

        await Within(TimeSpan.FromSeconds(10), async () =>
            (await Send(Account(_c.Lb, ClusterFixture.Account("base", 1), key))).Status == HttpStatusCode.OK, "account search once Redis is back");
    }
}

using System.Net;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary>The enumeration detector against a real server, on a clock the test moves.</summary>
[Collection(ServerCollection.Name)]
public class ScrapingDetectorTests(ServerFixture f)
{
    private static string Path(string account) => "/api/v3/breachedaccount/" + Uri.EscapeDataString(account);

    private async Task<(RunningServer Server, ManualTimeProvider Clock, CapturingLoggerProvider Logs)> Start()
    {
        var clock = new ManualTimeProvider();
        var logs = new CapturingLoggerProvider();
        var server = await RunningServer.StartAsync(f.Options() with { TimeProvider = clock, ConfigureLogging = l => l.AddProvider(logs) });
        return (server, clock, logs);
    }

    [Fact]
    public async Task BreachedAccount_BotWalkingConsecutivePhones_BlockedWithin200Requests()
    {
        var (server, clock, logs) = await Start();
        await using var _ = server;
        using var c = server.Client(f.BotKey);
        var run = f.Alpha.LongestPlantedRun!;
        int? blockedAt = null;
        for (var i = 0; i < 200; i++)
        {
            var r = await c.GetAsync(Path(ServerFixture.Plus(run.Start + (ulong)i)));
            clock.Advance(TimeSpan.FromSeconds(1));
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                blockedAt = i;
                var seconds = int.Parse(r.Headers.GetValues("retry-after").Single(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(seconds, 1, 15 * 60);
                Assert.Equal($$"""{"statusCode":429,"message":"Rate limit is exceeded. Try again in {{seconds}} seconds."}""", await r.Content.ReadAsStringAsync());
                break;
            }

            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        Assert.NotNull(blockedAt);
        Assert.InRange(blockedAt.Value, 1, 199);

        // Blocked for every account now, not just phones.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c.GetAsync(Path(f.Alpha.Emails!.First()))).StatusCode);

        var audit = Assert.Single(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal));
        Assert.Contains($"client key {f.BotKeyId},", audit, StringComparison.Ordinal);
        Assert.Contains("sequential-phones", audit, StringComparison.Ordinal);

        // The block ends.
        clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(Path(f.Alpha.Emails!.First()))).StatusCode);
    }

    [Fact]
    public async Task BreachedAccount_NormalClientRealisticMix_NeverBlocked()
    {
        var (server, clock, logs) = await Start();
        await using var _ = server;
        using var c = server.Client(f.NormalKey);
        var rng = new Random(2024);
        var phones = f.Alpha.Phones!.Concat(f.Beta.Phones!).Distinct().OrderBy(_ => rng.Next()).ToList();
        var emails = f.Alpha.Emails!.Concat(f.Beta.Emails!).Distinct().OrderBy(_ => rng.Next()).ToList();
        var all = new HashSet<ulong>(phones);
        int hits = 0, misses = 0;
        for (var i = 0; i < 200; i++)
        {
            var hit = rng.NextDouble() < 0.6;
            var phone = rng.NextDouble() < 0.5;
            string account;
            if (hit)
            {
                account = phone ? ServerFixture.Plus(phones[i]) : emails[i];
            }
            else if (phone)
            {
                var p = phones[^(i + 1)] + 7919;
                account = all.Contains(p) ? $"absent{i}@example.org" : ServerFixture.Plus(p);
            }
            else
            {
                account = $"someone.{rng.Next():x}@example.org";
            }

            var r = await c.GetAsync(Path(account));
            Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"request {i}: {(int)r.StatusCode}");
            hits += r.StatusCode == HttpStatusCode.OK ? 1 : 0;
            misses += r.StatusCode == HttpStatusCode.NotFound ? 1 : 0;
            clock.Advance(TimeSpan.FromSeconds(20 + rng.Next(70)));
        }

        Assert.InRange(hits, 80, 160);
        Assert.InRange(misses, 40, 120);
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BreachedAccount_ManyDistinctMisses_BlockedForLowHitRate()
    {
        var (server, clock, logs) = await Start();
        await using var _ = server;
        using var c = server.Client(f.SweepKey);
        int? blockedAt = null;
        for (var i = 0; i < 200 && blockedAt is null; i++)
        {
            var r = await c.GetAsync(Path($"guess{i}@example.net"));
            clock.Advance(TimeSpan.FromSeconds(1));
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                blockedAt = i;
            }
        }

        Assert.NotNull(blockedAt);
        var audit = Assert.Single(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal));
        Assert.Contains("low-hit-rate", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BreachedAccount_Stride17WalkWithAKnownHitEvery40_BlockedWellBefore300()
    {
        var (server, clock, logs) = await Start();
        await using var _ = server;
        using var c = server.Client(f.BotKey);
        var run = f.Alpha.LongestPlantedRun!;
        var known = f.Alpha.Phones!.Where(p => p < run.Start - 100_000 || p > run.Start + 100_000).Take(10).ToList();
        int? blockedAt = null;
        var step = 0;
        for (var i = 0; i < 300 && blockedAt is null; i++)
        {
            var number = i % 40 == 39 ? known[i / 40] : run.Start + (ulong)(17 * step++);
            var r = await c.GetAsync(Path(ServerFixture.Plus(number)));
            clock.Advance(TimeSpan.FromSeconds(1));
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                blockedAt = i;
            }
            else
            {
                Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"lookup {i}: {(int)r.StatusCode}");
            }
        }

        Assert.NotNull(blockedAt);
        Assert.InRange(blockedAt.Value, 29, 60);
        Assert.Contains("sequential-phones", Assert.Single(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BreachedAccount_WalkSpreadOverThreeKeysFromOneAddress_AddressBlocked()
    {
        var (server, clock, logs) = await Start();
        await using var _ = server;
        HttpClient[] clients = [server.Client(f.NormalKey), server.Client(f.SweepKey), server.Client(f.LogKey)];
        var run = f.Alpha.LongestPlantedRun!;
        int? blockedAt = null;
        for (var i = 0; i < 120 && blockedAt is null; i++)
        {
            // Stride 400 overall: each key alone steps by 1,200, wider than any one key's run.
            var r = await clients[i % 3].GetAsync(Path(ServerFixture.Plus(run.Start + (ulong)(400 * i))));
            clock.Advance(TimeSpan.FromSeconds(1));
            blockedAt = r.StatusCode == HttpStatusCode.TooManyRequests ? i : null;
        }

        Assert.NotNull(blockedAt);
        Assert.InRange(blockedAt.Value, 29, 40);
        Assert.Contains("client ip 127.0.0.1,", Assert.Single(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal)), StringComparison.Ordinal);
        // Every key from the address is refused now.
        foreach (var c in clients)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await c.GetAsync(Path(f.Alpha.Emails!.First()))).StatusCode);
            c.Dispose();
        }
    }

    [Theory]
    [InlineData(new ulong[] { 10, 11, 12, 13 }, 4)]
    [InlineData(new ulong[] { 13, 10, 12, 11, 500, 1000 }, 4)]
    [InlineData(new ulong[] { 10, 10, 10, 10 }, 0)]
    [InlineData(new ulong[] { 10, 30, 50, 70 }, 0)]
    [InlineData(new ulong[] { 10, 11, 500, 501, 502 }, 3)]
    public void CountInRuns_Numbers_CountsDistinctNumbersInTightRuns(ulong[] numbers, int expected) =>
        Assert.Equal(expected, ScrapingDetector.CountInRuns(numbers, 16, 3));

    [Theory]
    [InlineData(new ulong[] { 10, 30, 50, 70 }, 4)]
    [InlineData(new ulong[] { 10, 1010, 2010, 3011 }, 3)]
    [InlineData(new ulong[] { 10, 1011, 2012, 3013 }, 0)]
    public void CountInRuns_DefaultGap_StridesUpTo1000AreRuns(ulong[] numbers, int expected) =>
        Assert.Equal(expected, ScrapingDetector.CountInRuns(numbers, new EnumerationRules().PhoneMaxGap, 3));
}

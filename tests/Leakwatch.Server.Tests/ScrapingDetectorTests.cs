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

    [Theory]
    [InlineData(new ulong[] { 10, 11, 12, 13 }, 4)]
    [InlineData(new ulong[] { 13, 10, 12, 11, 500, 1000 }, 4)]
    [InlineData(new ulong[] { 10, 10, 10, 10 }, 0)]
    [InlineData(new ulong[] { 10, 30, 50, 70 }, 0)]
    [InlineData(new ulong[] { 10, 11, 500, 501, 502 }, 3)]
    public void CountInRuns_Numbers_CountsDistinctNumbersInTightRuns(ulong[] numbers, int expected) =>
        Assert.Equal(expected, ScrapingDetector.CountInRuns(numbers, 16, 3));
}

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Leakwatch.Core;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Synthetic;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary>What the private tier must never write down, and how a removal reaches private clients.</summary>
[Collection(PrivateServerCollection.Name)]
public partial class PrivateLogAndRemoveTests(PrivateServerFixture f)
{
    private static readonly PhoneNormalizer Phones = new(null);

    [GeneratedRegex(@"bucket\W{0,3}\d", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BucketNumber();

    [Fact]
    public async Task Logs_PrivateLookupsAndBadRequests_NeverHoldBucketElementOrIdentifier()
    {
        var logs = new CapturingLoggerProvider();
        var secrets = new List<string>();
        var buckets = new List<long>();
        await using (var server = await RunningServer.StartAsync(f.Options() with { ConfigureLogging = l => l.AddProvider(logs) }))
        {
            using var c = server.Client();
            var config = await PrivateHttpClient.GetConfigAsync(c);
            var accounts = f.Alpha.Emails!.Take(15).Concat(f.Beta.Phones!.Take(15).Select(ServerFixture.Plus)).ToList();
            foreach (var account in accounts)
            {
                var input = PrivateLookupClient.TryCanonicalize(account, Phones)!;
                var query = PrivateLookupClient.Prepare(input, config.Layout)!;
                var element = Convert.ToBase64String(query.BlindedElement);
                var r = await c.PostAsJsonAsync("/api/private/evaluate", new { bucket = query.Bucket, blindedElement = element });
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                var e = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
                secrets.Add(account);
                secrets.Add(Encoding.UTF8.GetString(input));
                secrets.Add(Convert.ToHexStringLower(SHA256.HashData(input)));
                secrets.Add(element);
                secrets.Add(e.GetProperty("evaluatedElement").GetString()!);
                buckets.Add(query.Bucket);
            }

            // Error paths are where a server is tempted to echo what it was sent.
            var invalidPoint = Convert.ToBase64String(Enumerable.Repeat((byte)0xff, 32).ToArray());
            var bad = await c.PostAsJsonAsync("/api/private/evaluate", new { bucket = buckets[0], blindedElement = invalidPoint });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var outOfRange = await c.PostAsJsonAsync("/api/private/evaluate", new { bucket = 1 << 30, blindedElement = secrets[3] });
            Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
            secrets.Add(invalidPoint);
        }

        var text = string.Join('\n', logs.Lines);
        Assert.Contains("Serving index generation", text, StringComparison.Ordinal); // the capture saw the server
        var leaked = secrets.FindAll(s => text.Contains(s, StringComparison.OrdinalIgnoreCase));
        Assert.True(leaked.Count == 0, $"{leaked.Count} private-lookup values found in the logs");
        Assert.DoesNotMatch(BucketNumber(), text);
    }

    [Fact]
    public async Task Remove_BreachLeavesConfigAtOnce_AndPrivateLookupsStopNamingIt()
    {
        using var dir = new TempDir();
        var a = dir.File("a.csv");
        var b = dir.File("b.csv");
        var ta = DumpGenerator.Generate(new GeneratorOptions(800, 61, DumpShape.Csv), a, collectIdentifiers: true);
        var tb = DumpGenerator.Generate(new GeneratorOptions(400, 62, DumpShape.Csv) { RecycleFrom = a, RecycleRate = 0.5 }, b, collectIdentifiers: true);
        dir.Ingest(a, "Older", "--date", "2020-01-01", "--private");
        dir.Ingest(b, "Newer", "--date", "2022-01-01", "--private");
        var shared = ta.Emails!.Where(tb.Emails!.Contains).Order(StringComparer.Ordinal).First();

        await using var server = await RunningServer.StartAsync(new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false, PrivateRpm = 10_000, PrivateGlobalRps = 100_000 });
        using var c = server.Client();
        Assert.Equal(["Older", "Newer"], await PrivateHttpClient.LookupAsync(c, shared, Phones));

        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "remove", "Newer"]).ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        PrivateHttpClient.Config config;
        while ((config = await PrivateHttpClient.GetConfigAsync(c)).Breaches.ContainsValue("Newer") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(["Older"], config.Breaches.Values);
        Assert.Equal(["Older"], await PrivateHttpClient.LookupAsync(c, shared, Phones, config));
        var onlyNewer = tb.Emails!.Where(e => !ta.Emails!.Contains(e)).Order(StringComparer.Ordinal).First();
        Assert.Empty(await PrivateHttpClient.LookupAsync(c, onlyNewer, Phones, config));
    }
}

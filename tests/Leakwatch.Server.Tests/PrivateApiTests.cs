using Leakwatch.Catalog.State;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Core;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Synthetic;

namespace Leakwatch.Server.Tests;

/// <summary>The C# reference client over HTTP: config, canonicalize, bucket, blind, evaluate, unblind, scan.</summary>
internal static class PrivateHttpClient
{
    public sealed record Config(string KeyId, PrivateLayout Layout, int BucketEntries, byte[] Salt, Dictionary<int, string> Breaches);

    /// <summary>Reads the config as a client must: the sections' bucket bits go through the layout's bound check
    /// (a server asking for finer phone buckets is refused), and the numbering they imply must be the one sent.</summary>
    public static async Task<Config> GetConfigAsync(HttpClient c) => ParseConfig(await c.GetStringAsync("/api/private/config"));

    public static Config ParseConfig(string json)
    {
        var e = JsonDocument.Parse(json).RootElement;
        Assert.Equal(2, e.GetProperty("version").GetInt32());
        Assert.Equal(48, e.GetProperty("entrySize").GetInt32());
        var sections = e.GetProperty("sections").EnumerateArray().ToList();
        var layout = PrivateLookupClient.ReadLayout(sections.Select(x =>
            (x.GetProperty("kind").GetString() == "email" ? 0 : x.GetProperty("callingCode").GetInt32(), x.GetProperty("bucketBits").GetInt32())));
        Assert.Equal(layout.Sections.Select(x => x.First), sections.Select(x => x.GetProperty("first").GetInt64()));
        Assert.Equal(layout.BucketCount, e.GetProperty("bucketCount").GetInt64());
        return new Config(e.GetProperty("keyId").GetString()!, layout, e.GetProperty("bucketEntries").GetInt32(),
            Convert.FromBase64String(e.GetProperty("salt").GetString()!),
            e.GetProperty("breaches").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetInt32(), b => b.GetProperty("name").GetString()!));
    }

    /// <summary>Breach names for an account as typed, oldest id first; retries once if the key rotated in between (doc §5).</summary>
    public static async Task<List<string>> LookupAsync(HttpClient c, string account, PhoneNormalizer phones, Config? config = null)
    {
        config ??= await GetConfigAsync(c);
        var input = PrivateLookupClient.TryCanonicalize(account, phones) ?? throw new ArgumentException("not an account", nameof(account));
        for (var attempt = 0; ; attempt++)
        {
            var query = PrivateLookupClient.Prepare(input, config.Layout);
            if (query is null)
            {
                return []; // nothing indexed under its calling code: not found, and nothing sent
            }

            var r = await c.PostAsJsonAsync("/api/private/evaluate", new { bucket = query.Bucket, blindedElement = Convert.ToBase64String(query.BlindedElement) });
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var e = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            if (e.GetProperty("keyId").GetString() != config.KeyId && attempt == 0)
            {
                config = await GetConfigAsync(c);
                continue;
            }

            Assert.Equal(query.Bucket, e.GetProperty("bucket").GetInt64());
            var entries = Convert.FromBase64String(e.GetProperty("entries").GetString()!);
            if (entries.Length != config.BucketEntries * 48)
            {
                // A breach was merged in since the config was read (same key: sections' bits and salt unchanged, but
                // bucketEntries and the breach list may have grown): read it again, as doc §5 tells clients to.
                config = await GetConfigAsync(c);
            }

            Assert.Equal(config.BucketEntries * 48, entries.Length);
            var found = PrivateLookupClient.Finish(query, Convert.FromBase64String(e.GetProperty("evaluatedElement").GetString()!), config.Salt, entries);
            if (found.Any(id => !config.Breaches.ContainsKey(id)))
            {
                config = await GetConfigAsync(c);
            }

            return [.. found.Where(config.Breaches.ContainsKey).Order().Select(id => config.Breaches[id])];
        }
    }
}

/// <summary>Alpha (CSV) and Beta (JSON Lines recycling 30% of Alpha), both ingested with --private by the real CLI. Beta is
/// small beside Alpha: bucketBits is fixed by the first build, and the buckets should stay near their designed size.</summary>
public sealed class PrivateServerFixture : IAsyncLifetime
{
    public TempDir Dir { get; } = new();

    public GeneratorTruth Alpha { get; private set; } = null!;

    public GeneratorTruth Beta { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public string Key { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var alpha = Dir.File("alpha.csv");
        var beta = Dir.File("beta.jsonl");
        Alpha = DumpGenerator.Generate(new GeneratorOptions(3_000, 21, DumpShape.Csv), alpha, collectIdentifiers: true);
        Beta = DumpGenerator.Generate(new GeneratorOptions(1_000, 22, DumpShape.JsonLines) { RecycleFrom = alpha, RecycleRate = 0.3 }, beta, collectIdentifiers: true);
        Dir.Ingest(alpha, "Alpha", "--date", "2019-03-01", "--private");
        Dir.Ingest(beta, "Beta", "--date", "2021-06-01", "--private");
        using (var keys = SqliteStateStore.Open(Dir.DataDir))
        {
            Key = keys.CreateKey("private-tests", 1_000_000, DateTimeOffset.UtcNow).Secret;
        }

        Server = await RunningServer.StartAsync(Options());
    }

    public ServerOptions Options() => new()
    {
        DataDir = Dir.DataDir,
        KeyFilePath = Dir.KeyFile,
        ConsoleLogging = false,
        PrivateRpm = 100_000,
        // These tests make many evaluations at once; the global budget has a test of its own (ClientLimitTests).
        PrivateGlobalRps = 100_000,
        MetricsUrls = "http://127.0.0.1:0",
    };

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class PrivateServerCollection : ICollectionFixture<PrivateServerFixture>
{
    public const string Name = "private-server";
}

[Collection(PrivateServerCollection.Name)]
public class PrivateApiTests(PrivateServerFixture f)
{
    private static readonly PhoneNormalizer Phones = new(null);

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static string ValidElement() =>
        Convert.ToBase64String(PrivateLookupClient.Prepare("email:x@example.com"u8.ToArray(), new PrivateLayout([(0, 0)]))!.BlindedElement);

    [Fact]
    public async Task Lookup_ExposedEmailPhoneSharedAndAbsent_ExactBreachListsThroughTheReferenceClient()
    {
        using var c = f.Server.Client();
        var config = await PrivateHttpClient.GetConfigAsync(c);
        Assert.Equal(["Alpha", "Beta"], config.Breaches.Values.Order());
        var alphaEmail = f.Alpha.Emails!.Order(StringComparer.Ordinal).First(e => !f.Beta.Emails!.Contains(e));
        var betaPhone = f.Beta.Phones!.Order().First(p => !f.Alpha.Phones!.Contains(p));
        var sharedEmail = f.Alpha.Emails!.Where(f.Beta.Emails!.Contains).Order(StringComparer.Ordinal).First();
        var sharedPhone = f.Alpha.Phones!.Where(f.Beta.Phones!.Contains).Order().First();
        var absentPhone = Enumerable.Range(1, 1000).Select(k => sharedPhone + (ulong)(7919 * k))
            .First(p => !f.Alpha.Phones!.Contains(p) && !f.Beta.Phones!.Contains(p));

        Assert.Equal(["Alpha"], await PrivateHttpClient.LookupAsync(c, alphaEmail, Phones, config));
        Assert.Equal(["Alpha"], await PrivateHttpClient.LookupAsync(c, " " + alphaEmail.ToUpperInvariant(), Phones, config));
        Assert.Equal(["Beta"], await PrivateHttpClient.LookupAsync(c, ServerFixture.Plus(betaPhone), Phones, config));
        Assert.Equal(["Beta"], await PrivateHttpClient.LookupAsync(c, betaPhone.ToString(System.Globalization.CultureInfo.InvariantCulture), Phones, config));
        Assert.Equal(["Alpha", "Beta"], await PrivateHttpClient.LookupAsync(c, sharedEmail, Phones, config));
        Assert.Equal(["Alpha", "Beta"], await PrivateHttpClient.LookupAsync(c, ServerFixture.Plus(sharedPhone), Phones, config));
        Assert.Empty(await PrivateHttpClient.LookupAsync(c, "nobody-here-at-all@example.com", Phones, config));
        Assert.Empty(await PrivateHttpClient.LookupAsync(c, ServerFixture.Plus(absentPhone), Phones, config));
    }

    [Fact]
    public async Task Lookup_SampleOfEveryIdentifier_MatchesThePlainIndex()
    {
        using var c = f.Server.Client(f.Key);
        var config = await PrivateHttpClient.GetConfigAsync(c);
        var accounts = f.Alpha.Emails!.Order(StringComparer.Ordinal).Take(15)
            .Concat(f.Beta.Emails!.Order(StringComparer.Ordinal).Take(15))
            .Concat(f.Alpha.Phones!.Concat(f.Beta.Phones!).Order().Take(20).Select(ServerFixture.Plus));
        foreach (var a in accounts)
        {
            var plain = await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(a));
            var expected = plain.StatusCode == HttpStatusCode.NotFound ? [] :
                JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(b => b.GetProperty("Name").GetString()!).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, await PrivateHttpClient.LookupAsync(c, a, Phones, config));
        }
    }

    [Theory]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")] // above p
    [InlineData("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // p: non-canonical
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")] // negative s
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")] // the identity
    public async Task Evaluate_InvalidPoint_Returns400NamingBlindedElement(string hex)
    {
        using var c = f.Server.Client();
        var r = await c.PostAsync("/api/private/evaluate", Body($$"""{"bucket":0,"blindedElement":"{{Convert.ToBase64String(Convert.FromHexString(hex))}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var e = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, e.GetProperty("statusCode").GetInt32());
        Assert.StartsWith("blindedElement:", e.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("no-store", r.Headers.CacheControl!.ToString());
    }

    [Theory]
    [InlineData("""{"bucket":1,"blindedElement":"AAAA"}""", "blindedElement: must be 32 bytes")]
    [InlineData("""{"bucket":1,"blindedElement":"%%%not base64%%%"}""", "blindedElement: not valid base64")]
    [InlineData("""{"bucket":1,"blindedElement":5}""", "blindedElement: must be a base64 string")]
    [InlineData("""{"bucket":1}""", "blindedElement: required")]
    [InlineData("""{"blindedElement":"ELEMENT"}""", "bucket: required")]
    [InlineData("""{"bucket":"one","blindedElement":"ELEMENT"}""", "bucket: must be an integer")]
    [InlineData("""{"bucket":1.5,"blindedElement":"ELEMENT"}""", "bucket: must be an integer")]
    [InlineData("""{"bucket":-1,"blindedElement":"ELEMENT"}""", "bucket: must be an integer in [0, ")]
    [InlineData("""{"bucket":99999999,"blindedElement":"ELEMENT"}""", "bucket: must be an integer in [0, ")]
    [InlineData("{\"bucket\":1,\"blindedElement\":\"ELEMENT\"", "body: malformed JSON")]
    [InlineData("""[1,2]""", "body: expected a JSON object")]
    [InlineData("""not json""", "body: malformed JSON")]
    [InlineData("", "body: malformed JSON")]
    public async Task Evaluate_BadInput_Returns400WithOneLineNamingTheField(string body, string message)
    {
        using var c = f.Server.Client();
        var r = await c.PostAsync("/api/private/evaluate", Body(body.Replace("ELEMENT", ValidElement(), StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
        var text = await r.Content.ReadAsStringAsync();
        var m = JsonDocument.Parse(text).RootElement.GetProperty("message").GetString()!;
        Assert.StartsWith(message, m, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', m);
    }

    /// <summary>A key file with the same index key but another OPRF key (as a backup restored beside the wrong key
    /// file would have) cannot serve the private index: the start stops with one line naming the key, and nothing is
    /// decrypted with the wrong key.</summary>
    [Fact]
    public async Task Start_KeyFileWithAnotherOprfKey_RefusesToServeThePrivateIndex()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(f.Dir.KeyFile))!;
        var seed = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        json["oprf"]!["active"]!["seed"] = Convert.ToBase64String(seed);
        json["oprf"]!["active"]!["keyId"] = Privacy.OprfServerKey.FromSeed(seed).KeyId;
        var wrong = f.Dir.File("wrong.key");
        await File.WriteAllTextAsync(wrong, json.ToJsonString());
        File.SetUnixFileMode(wrong, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var e = await Assert.ThrowsAnyAsync<Core.Errors.LeakwatchException>(async () =>
        {
            await using var server = await RunningServer.StartAsync(f.Options() with { KeyFilePath = wrong });
        });
        using var c = f.Server.Client();
        var config = await PrivateHttpClient.GetConfigAsync(c);
        Assert.Contains(config.KeyId, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Evaluate_BucketJustOutOfRange_Returns400AndLastBucketAnswers()
    {
        using var c = f.Server.Client();
        var config = await PrivateHttpClient.GetConfigAsync(c);
        var r = await c.PostAsync("/api/private/evaluate", Body($$"""{"bucket":{{config.Layout.BucketCount}},"blindedElement":"{{ValidElement()}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains($"[0, {config.Layout.BucketCount})", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var ok = await c.PostAsync("/api/private/evaluate", Body($$"""{"bucket":{{config.Layout.BucketCount - 1}},"blindedElement":"{{ValidElement()}}"}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Evaluate_Response_NoStoreUnder64KBAndCountedInMetrics()
    {
        using var c = f.Server.Client();
        var config = await c.GetAsync("/api/private/config");
        Assert.Equal("no-store", config.Headers.CacheControl!.ToString());
        var r = await c.PostAsync("/api/private/evaluate", Body($$"""{"bucket":0,"blindedElement":"{{ValidElement()}}"}"""));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("no-store", r.Headers.CacheControl!.ToString());
        var bytes = await r.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length <= 64 * 1024, $"{bytes.Length} bytes");
        Assert.Equal(["keyId", "evaluatedElement", "bucket", "generation", "entries"], JsonDocument.Parse(bytes).RootElement.EnumerateObject().Select(p => p.Name));
        using var scraper = f.Server.MetricsClient();
        var metrics = await scraper.GetStringAsync("/metrics");
        Assert.Matches(@"leakwatch_private_evaluations_total\{outcome=""ok""\} [1-9]", metrics);
        Assert.Matches(@"leakwatch_private_index_generation [1-9]", metrics);
    }

    [Fact]
    public async Task Evaluate_OverPrivateRpm_Returns429HibpBodyPerClientKeyElseIp()
    {
        await using var server = await RunningServer.StartAsync(f.Options() with { PrivateRpm = 2 });
        using var anonymous = server.Client();
        using var invented = server.Client("0123456789abcdef0123456789abcdef");
        using var keyed = server.Client(f.Key);
        var body = $$"""{"bucket":0,"blindedElement":"{{ValidElement()}}"}""";
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync("/api/private/evaluate", Body(body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync("/api/private/evaluate", Body(body))).StatusCode);
        var limited = await anonymous.PostAsync("/api/private/evaluate", Body(body));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("30", limited.Headers.GetValues("retry-after").Single());
        Assert.Equal("no-store", limited.Headers.CacheControl!.ToString());
        Assert.Equal("""{"statusCode":429,"message":"Rate limit is exceeded. Try again in 30 seconds."}""", await limited.Content.ReadAsStringAsync());

        // An invented key is the same client as its IP; a real key has its own allowance.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await invented.PostAsync("/api/private/evaluate", Body(body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await keyed.PostAsync("/api/private/evaluate", Body(body))).StatusCode);
        using var scraper = server.MetricsClient();
        Assert.Contains("leakwatch_rate_limit_rejections_total{scope=\"private\"} 2", await scraper.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    /// <summary>Repeated evaluations of one blinded element get the same answer each time. How long they take is
    /// measured in bench/ (bench/private-evaluate.sh for the HTTP round trip and server time,
    /// PrivateIndexBenchmarks.EvaluateRequest for the handler's work), not asserted here on a shared machine.</summary>
    [Fact]
    public async Task Evaluate_RepeatedRequests_SameAnswerEachTime()
    {
        using var c = f.Server.Client();
        var body = $$"""{"bucket":0,"blindedElement":"{{ValidElement()}}"}""";
        var answers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 40; i++)
        {
            var r = await c.PostAsync("/api/private/evaluate", Body(body));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var e = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(0, e.GetProperty("bucket").GetInt32());
            Assert.NotEmpty(Convert.FromBase64String(e.GetProperty("entries").GetString()!));
            answers.Add(e.GetProperty("evaluatedElement").GetString() + "/" + e.GetProperty("entries").GetString());
        }

        Assert.Single(answers);
    }
}

/// <summary>Servers without a private index, and a server following a data dir through a second private ingest and a key rotation.</summary>
public class PrivateReloadTests
{
    private static readonly PhoneNormalizer Phones = new(null);

    [Fact]
    public async Task Config_NoPrivateIndex_Returns404JsonAndEvaluate404()
    {
        using var dir = new TempDir();
        var dump = dir.File("plain.csv");
        DumpGenerator.Generate(new GeneratorOptions(300, 5, DumpShape.Csv), dump);
        dir.Ingest(dump, "Plain");
        await using var server = await RunningServer.StartAsync(new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false });
        using var c = server.Client();
        var r = await c.GetAsync("/api/private/config");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal(404, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("statusCode").GetInt32());
        var e = await c.PostAsync("/api/private/evaluate", new StringContent("""{"bucket":0,"blindedElement":"AAAA"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode); // input is checked first
        var valid = Convert.ToBase64String(PrivateLookupClient.Prepare("email:x@example.com"u8.ToArray(), new PrivateLayout([(0, 0)]))!.BlindedElement);
        e = await c.PostAsync("/api/private/evaluate", new StringContent($$"""{"bucket":0,"blindedElement":"{{valid}}"}"""));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    private static async Task<T> PollUntil<T>(Func<Task<T>> get, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var v = await get();
            if (done(v) || DateTime.UtcNow > deadline)
            {
                return v;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Server_SecondPrivateIngestThenKeyRotation_ServedWithoutRestartLookupsStillWork()
    {
        using var dir = new TempDir();
        var first = dir.File("first.csv");
        var second = dir.File("second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(1_200, 41, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(1_200, 42, DumpShape.Csv) { RecycleFrom = first, RecycleRate = 0.3 }, second, collectIdentifiers: true);
        dir.Ingest(first, "First", "--date", "2020-01-01", "--private");
        await using var server = await RunningServer.StartAsync(new ServerOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            ConsoleLogging = false,
            PrivateRpm = 100_000,
            PrivateGlobalRps = 100_000,
            ReloadCheckInterval = TimeSpan.FromMilliseconds(200),
        });
        using var c = server.Client();
        var onlySecond = t2.Emails!.Order(StringComparer.Ordinal).First(e => !t1.Emails!.Contains(e));
        var shared = t1.Emails!.Order(StringComparer.Ordinal).First(t2.Emails!.Contains);
        var onlyFirst = t1.Emails!.Order(StringComparer.Ordinal).First(e => !t2.Emails!.Contains(e));
        Assert.Empty(await PrivateHttpClient.LookupAsync(c, onlySecond, Phones));
        Assert.Equal(["First"], await PrivateHttpClient.LookupAsync(c, shared, Phones));
        var keyBefore = (await PrivateHttpClient.GetConfigAsync(c)).KeyId;

        dir.Ingest(second, "Second", "--date", "2022-01-01", "--private");
        Assert.Equal(["Second"], await PollUntil(() => PrivateHttpClient.LookupAsync(c, onlySecond, Phones), l => l.Count > 0));
        Assert.Equal(["First", "Second"], await PrivateHttpClient.LookupAsync(c, shared, Phones));
        Assert.Equal(["First"], await PrivateHttpClient.LookupAsync(c, onlyFirst, Phones));

        var rotate = LeakwatchProcess.Run([.. dir.Dirs, "keys", "rotate-oprf", "--json"]);
        Assert.True(rotate.ExitCode == 0, rotate.Stderr);
        var newKey = JsonDocument.Parse(rotate.Stdout).RootElement.GetProperty("keyId").GetString()!;
        Assert.NotEqual(keyBefore, newKey);
        var config = await PollUntil(() => PrivateHttpClient.GetConfigAsync(c), k => k.KeyId == newKey);
        Assert.Equal(newKey, config.KeyId);
        Assert.Equal(["First", "Second"], await PrivateHttpClient.LookupAsync(c, shared, Phones, config));
        Assert.Equal(["Second"], await PrivateHttpClient.LookupAsync(c, onlySecond, Phones, config));
        Assert.Equal(["First"], await PrivateHttpClient.LookupAsync(c, onlyFirst, Phones, config));
        Assert.Empty(await PrivateHttpClient.LookupAsync(c, "nobody-at-all@example.com", Phones, config));
    }
}

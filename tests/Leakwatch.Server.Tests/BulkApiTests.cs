using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary><c>POST /api/v3/bulk</c> against a real server on loopback: exact answers, limits, counting and the detector.</summary>
[Collection(BulkCollection.Name)]
public class BulkApiTests(BulkFixture f)
{
    private static StringContent Text(string body) => new(body, Encoding.UTF8, "text/plain");

    private string ExpectedAnswer(BulkAccounts a) => string.Join('\n',
    [
        $$"""{"account":"{{a.AlphaOnly}}","breaches":["Alpha"]}""",
        $$"""{"account":"{{a.Both}}","breaches":["Alpha","Beta"]}""",
        $$"""{"account":"{{a.BetaOnly}}","breaches":["Beta"]}""",
        $$"""{"account":"{{a.Phone}}","breaches":{{BulkAccounts.Names(a.PhoneNames)}}}""",
        """{"account":"not an account","error":"not a valid email address or phone number"}""",
        """{"account":"nobody.bulk@example.com","breaches":[]}""",
        // Opted out: answered as in no breach, as breachedaccount answers 404 for it.
        $$"""{"account":"{{a.OptedOut}}","breaches":[]}""",
    ]) + "\n";

    [Fact]
    public async Task Bulk_JsonArray_ExactNdjsonInOrder()
    {
        var a = new BulkAccounts(f);
        using var c = f.Server.Client(f.Key);

        var r = await c.PostAsJsonAsync("/api/v3/bulk", a.All);

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/x-ndjson", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-store", r.Headers.CacheControl!.ToString());
        Assert.Equal(ExpectedAnswer(a), await r.Content.ReadAsStringAsync());
        // No account reaches the server's log.
        foreach (var account in a.All)
        {
            Assert.DoesNotContain(f.Logs.Lines, l => l.Contains(account, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Bulk_TextPlainWithBomCrlfAndBlankLines_SameAnswer()
    {
        var a = new BulkAccounts(f);
        using var c = f.Server.Client(f.Key);

        var r = await c.PostAsync("/api/v3/bulk", Text("\uFEFF" + string.Join("\r\n\r\n", a.All) + "\r\n"));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(ExpectedAnswer(a), await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bulk_EveryGeneratedEmail_AnswersAsBreachedAccount()
    {
        using var c = f.Server.Client(f.Key);
        var emails = f.Alpha.Emails!.Concat(f.Beta.Emails!).Distinct().Order(StringComparer.Ordinal).Take(2_000).ToList();

        var r = await c.PostAsJsonAsync("/api/v3/bulk", emails);

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var lines = (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(emails.Count, lines.Length);
        for (var i = 0; i < emails.Count; i++)
        {
            var names = emails[i] == f.OptedOut ? [] : f.Expected(emails[i]);
            Assert.Equal($$"""{"account":"{{emails[i]}}","breaches":{{BulkAccounts.Names(names)}}}""", lines[i]);
        }
    }

    [Fact]
    public async Task Bulk_10001Accounts_400NamingTheLimit()
    {
        using var c = f.Server.Client(f.Key);
        // Generated emails over and over: a bulk of misses would be a sweep the detector blocks.
        var emails = f.Alpha.Emails!.Order(StringComparer.Ordinal).ToList();
        var accounts = Enumerable.Range(0, 10_001).Select(i => emails[i % emails.Count]).ToList();

        var json = await c.PostAsJsonAsync("/api/v3/bulk", accounts);
        var text = await c.PostAsync("/api/v3/bulk", Text(string.Join('\n', accounts)));
        var exactly = await c.PostAsJsonAsync("/api/v3/bulk", accounts.Take(10_000));

        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal("""{"statusCode":400,"message":"accounts: at most 10000 per request"}""", await json.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        Assert.Contains("at most 10000", await text.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, exactly.StatusCode);
        Assert.Equal(10_000, (await exactly.Content.ReadAsStringAsync()).Count(ch => ch == '\n'));
    }

    [Theory]
    [InlineData("[]", "application/json", "accounts: none given")]
    [InlineData("\r\n \n", "text/plain", "accounts: none given")]
    [InlineData("[1]", "application/json", "accounts[0]: must be a string")]
    [InlineData("{\"a\":1}", "application/json", "body: expected a JSON array of strings")]
    [InlineData("[\"a@b.example\"", "application/json", "body: malformed JSON")]
    public async Task Bulk_BadBody_400NamingIt(string body, string type, string message)
    {
        using var c = f.Server.Client(f.Key);

        var r = await c.PostAsync("/api/v3/bulk", new StringContent(body, Encoding.UTF8, type));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal($$"""{"statusCode":400,"message":"{{message}}"}""", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bulk_OtherMediaTypeOrNoKey_Refused()
    {
        using var keyed = f.Server.Client(f.Key);
        using var anonymous = f.Server.Client();

        var form = await keyed.PostAsync("/api/v3/bulk", new StringContent("a@b.example", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var noKey = await anonymous.PostAsJsonAsync("/api/v3/bulk", new[] { "a@b.example" });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task Bulk_EachAccountTakesOneOfTheKeysRequests()
    {
        // Its own server: the key's bucket starts full. 50 a minute, refilled about one a second.
        await using var server = await RunningServer.StartAsync(f.Options());
        using var c = server.Client(f.LimitedKey);
        var accounts = Enumerable.Range(0, 40).Select(i => "walker" + i.ToString(CultureInfo.InvariantCulture) + "@example.com").ToList();

        var first = await c.PostAsJsonAsync("/api/v3/bulk", accounts);
        // A single search takes from the same bucket.
        var single = await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(BulkAccounts.Unknown));
        var second = await c.PostAsJsonAsync("/api/v3/bulk", accounts.Take(15));
        var tooMany = await c.PostAsJsonAsync("/api/v3/bulk", Enumerable.Repeat(BulkAccounts.Unknown, 51));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, single.StatusCode);
        // 41 of 50 spent (a few may have come back since): 15 more is past what is left; nothing was looked up.
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        var wait = int.Parse(second.Headers.GetValues("retry-after").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(wait, 1, 60);
        Assert.StartsWith("{\"statusCode\":429", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("rate limit of 50", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bulk_SequentialPhones_TripsTheDetectorAsSingleCallsDo()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await RunningServer.StartAsync(f.Options() with { ConfigureLogging = l => l.AddProvider(logs) });
        using var c = server.Client(f.WalkKey);
        var run = f.Alpha.LongestPlantedRun!;
        var phones = Enumerable.Range(0, 100).Select(i => BulkFixture.Plus(run.Start + (ulong)i)).ToList();

        var walk = await c.PostAsJsonAsync("/api/v3/bulk", phones);
        var after = await c.PostAsJsonAsync("/api/v3/bulk", new[] { f.Alpha.Emails!.First() });
        var single = await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(f.Alpha.Emails!.First()));

        Assert.Equal(HttpStatusCode.TooManyRequests, walk.StatusCode);
        Assert.InRange(int.Parse(walk.Headers.GetValues("retry-after").Single(), CultureInfo.InvariantCulture), 1, 15 * 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, single.StatusCode);
        var audit = Assert.Single(logs.Lines, l => l.StartsWith("Leakwatch.Audit", StringComparison.Ordinal));
        Assert.Contains("sequential-phones", audit, StringComparison.Ordinal);
        foreach (var phone in phones)
        {
            Assert.DoesNotContain(logs.Lines, l => l.Contains(phone[1..], StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task OpenApi_ListsBulk()
    {
        using var c = f.Server.Client();

        var doc = await c.GetStringAsync("/openapi/v1.json");

        Assert.Contains("\"/api/v3/bulk\"", doc, StringComparison.Ordinal);
        Assert.Contains("application/x-ndjson", doc, StringComparison.Ordinal);
    }
}

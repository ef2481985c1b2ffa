using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Leakwatch.Server.Tests;

/// <summary>HIBP API v3 wire behaviour against a real server on loopback.</summary>
[Collection(ServerCollection.Name)]
public class HibpApiTests(ServerFixture f)
{
    private static readonly string[] BreachFields =
    [
        "Name", "Title", "Domain", "BreachDate", "AddedDate", "ModifiedDate", "PwnCount", "Description", "LogoPath",
        "DataClasses", "IsVerified", "IsFabricated", "IsSensitive", "IsRetired", "IsSpamList", "IsMalware", "IsSubscriptionFree", "IsStealerLog",
    ];

    private ulong SharedPhone => f.Alpha.Phones!.Where(f.Beta.Phones!.Contains).Order().First();

    private string SharedEmail => f.Alpha.Emails!.Where(f.Beta.Emails!.Contains).Order(StringComparer.Ordinal).First();

    private string AlphaOnlyEmail => f.Alpha.Emails!.Where(e => !f.Beta.Emails!.Contains(e)).Order(StringComparer.Ordinal).First();

    private static string Path(string account, string query = "") => "/api/v3/breachedaccount/" + Uri.EscapeDataString(account) + query;

    [Fact]
    public async Task BreachedAccount_Default_ReturnsTruncatedNamesOldestFirst()
    {
        using var c = f.Server.Client(f.Key);
        var r = await c.GetAsync(Path(SharedEmail));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal("""[{"Name":"Alpha"},{"Name":"Beta"}]""", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BreachedAccount_TruncateFalse_ReturnsFullBreachesInHibpFieldOrder()
    {
        using var c = f.Server.Client(f.Key);
        var body = await c.GetStringAsync(Path(SharedEmail, "?truncateResponse=false"));
        var arr = JsonDocument.Parse(body).RootElement;
        Assert.Equal(2, arr.GetArrayLength());
        foreach (var b in arr.EnumerateArray())
        {
            Assert.Equal(BreachFields, b.EnumerateObject().Select(p => p.Name));
        }

        var alpha = arr[0];
        Assert.Equal("Alpha", alpha.GetProperty("Name").GetString());
        Assert.Equal("Alpha Inc", alpha.GetProperty("Title").GetString());
        Assert.Equal("alpha.example", alpha.GetProperty("Domain").GetString());
        Assert.Equal("2019-03-01", alpha.GetProperty("BreachDate").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", alpha.GetProperty("AddedDate").GetString()!);
        Assert.True(alpha.GetProperty("IsVerified").GetBoolean());
        Assert.False(arr[1].GetProperty("IsVerified").GetBoolean());
    }

    [Fact]
    public async Task BreachedAccount_Absent_Returns404WithEmptyBody()
    {
        using var c = f.Server.Client(f.Key);
        var absentPhone = Enumerable.Range(1, 1000).Select(k => SharedPhone + (ulong)(7919 * k))
            .First(p => !f.Alpha.Phones!.Contains(p) && !f.Beta.Phones!.Contains(p));
        foreach (var account in new[] { "nobody-here@example.com", ServerFixture.Plus(absentPhone) })
        {
            var r = await c.GetAsync(Path(account));
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Empty(await r.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("not-an-account")]
    [InlineData("a@@b")]
    [InlineData("12")]
    public async Task BreachedAccount_Malformed_Returns400(string account)
    {
        using var c = f.Server.Client(f.Key);
        Assert.Equal(HttpStatusCode.BadRequest, (await c.GetAsync(Path(account))).StatusCode);
    }

    [Fact]
    public async Task BreachedAccount_MissingKey_Returns401WithTextBody()
    {
        using var c = f.Server.Client();
        var r = await c.GetAsync(Path(SharedEmail));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("Access denied due to missing hibp-api-key.", await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("short")]
    public async Task BreachedAccount_InvalidKey_Returns401WithTextBody(string key)
    {
        using var c = f.Server.Client(key);
        var r = await c.GetAsync(Path(SharedEmail));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("Access denied due to invalid hibp-api-key.", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_MissingUserAgent_Returns403()
    {
        using var c = f.Server.Client(f.Key, userAgent: null);
        Assert.Equal(HttpStatusCode.Forbidden, (await c.GetAsync(Path(SharedEmail))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await c.GetAsync("/api/v3/breaches")).StatusCode);
    }

    [Fact]
    public async Task BreachedAccount_OverKeyRpm_Returns429JsonWithRetryAfter()
    {
        using var c = f.Server.Client(f.SlowKey);
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 4 && limited is null; i++)
        {
            var r = await c.GetAsync(Path(SharedEmail));
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = r;
            }
        }

        Assert.NotNull(limited);
        // 2 requests per minute: one comes back every 30 s.
        var retryAfter = limited.Headers.GetValues("retry-after").Single();
        Assert.Equal("30", retryAfter);
        Assert.Equal("application/json", limited.Content.Headers.ContentType!.MediaType);
        Assert.Equal("""{"statusCode":429,"message":"Rate limit is exceeded. Try again in 30 seconds."}""", await limited.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("?includeUnverified=false")]
    [InlineData("?IncludeUnverified=false")]
    [InlineData("?includeunverified=FALSE")]
    public async Task BreachedAccount_IncludeUnverifiedAnyCase_DropsUnverified(string query)
    {
        using var c = f.Server.Client(f.Key);
        Assert.Equal("""[{"Name":"Alpha"}]""", await c.GetStringAsync(Path(SharedEmail, query)));
    }

    [Theory]
    [InlineData("?domain=beta.example")]
    [InlineData("?Domain=BETA.example&TruncateResponse=true")]
    public async Task BreachedAccount_DomainAnyCase_FiltersByBreachDomain(string query)
    {
        using var c = f.Server.Client(f.Key);
        Assert.Equal("""[{"Name":"Beta"}]""", await c.GetStringAsync(Path(SharedEmail, query)));
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync(Path(AlphaOnlyEmail, query))).StatusCode);
    }

    [Fact]
    public async Task BreachedAccount_EmailAnyCaseAndSpaces_MatchesNormalized()
    {
        using var c = f.Server.Client(f.Key);
        Assert.Equal("""[{"Name":"Alpha"}]""", await c.GetStringAsync(Path("  " + AlphaOnlyEmail.ToUpperInvariant() + " ")));
    }

    [Fact]
    public async Task BreachedAccount_PhoneInEveryTypedFormat_SameBreachesAsE164()
    {
        using var c = f.Server.Client(f.Key);
        var phones = f.Alpha.Phones!.Order().Take(20).Append(SharedPhone).ToList();
        var us = f.Alpha.Phones!.Concat(f.Beta.Phones!).FirstOrDefault(p => p is >= 1_200_000_0000 and < 1_999_999_9999);
        if (us != 0)
        {
            phones.Add(us);
        }

        foreach (var p in phones)
        {
            var e164 = ServerFixture.Plus(p);
            var expected = await c.GetStringAsync(Path(e164, "?truncateResponse=false"));
            Assert.StartsWith("[{", expected, StringComparison.Ordinal);
            var digits = p.ToString(CultureInfo.InvariantCulture);
            var formats = new List<string> { digits, e164[..3] + " " + e164[3..7] + " " + e164[7..], " " + e164 + " ", "00" + digits };
            if (p == us)
            {
                formats.Add($"+1 ({digits[1..4]}) {digits[4..7]}-{digits[7..]}");
            }

            foreach (var typed in formats)
            {
                Assert.Equal(expected, await c.GetStringAsync(Path(typed, "?truncateResponse=false")));
            }
        }

        Assert.Equal("""[{"Name":"Alpha"},{"Name":"Beta"}]""", await c.GetStringAsync(Path(ServerFixture.Plus(SharedPhone))));
    }

    [Theory]
    [InlineData("account-exists", new[] { "Adobe" })]
    [InlineData("multiple-breaches", new[] { "Gawker", "Stratfor", "Adobe" })]
    [InlineData("not-active-and-active-breach", new[] { "Adobe" })]
    [InlineData("not-active-breach", new string[0])]
    [InlineData("opt-out", new string[0])]
    [InlineData("opt-out-breach", new string[0])]
    [InlineData("permanent-opt-out", new string[0])]
    [InlineData("paste-sensitive-breach", new string[0])]
    [InlineData("sensitive-and-other-breaches", new[] { "Gawker", "Adobe" })]
    [InlineData("sensitive-breach", new string[0])]
    [InlineData("unverified-breach", new[] { "UnverifiedBreach" })]
    [InlineData("spam-list-only", new[] { "SpamListBreach" })]
    [InlineData("spam-list-and-others", new[] { "Gawker", "Adobe", "SpamListBreach" })]
    [InlineData("subscription-free-breach", new[] { "SubscriptionFreeBreach" })]
    [InlineData("subscription-free-and-other-breaches", new[] { "Gawker", "Adobe", "SubscriptionFreeBreach" })]
    [InlineData("stealer-log", new[] { "StealerLogBreach" })]
    public async Task BreachedAccount_TestAccountWithZeroKey_AnswersAsDocumented(string local, string[] expected)
    {
        using var c = f.Server.Client("00000000000000000000000000000000");
        var r = await c.GetAsync(Path(local + "@hibp-integration-tests.com", "?truncateResponse=false"));
        if (expected.Length == 0)
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            return;
        }

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var arr = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(expected, arr.EnumerateArray().Select(b => b.GetProperty("Name").GetString()));
        foreach (var b in arr.EnumerateArray())
        {
            Assert.Equal(BreachFields, b.EnumerateObject().Select(p => p.Name));
        }

        var flags = arr.EnumerateArray().ToList();
        switch (local)
        {
            case "unverified-breach":
                Assert.False(flags[0].GetProperty("IsVerified").GetBoolean());
                break;
            case "spam-list-only":
                Assert.True(flags[0].GetProperty("IsSpamList").GetBoolean());
                break;
            case "subscription-free-breach":
                Assert.True(flags[0].GetProperty("IsSubscriptionFree").GetBoolean());
                break;
            case "stealer-log":
                Assert.True(flags[0].GetProperty("IsStealerLog").GetBoolean());
                break;
        }
    }

    [Fact]
    public async Task ZeroKey_RealAccountOrSubscription_Returns401Invalid()
    {
        using var c = f.Server.Client("00000000000000000000000000000000");
        var r = await c.GetAsync(Path(SharedEmail));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("Access denied due to invalid hibp-api-key.", await r.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/v3/subscription/status")).StatusCode);
    }

    [Fact]
    public async Task TestAccounts_NotInRealCatalogue()
    {
        using var c = f.Server.Client();
        var names = JsonDocument.Parse(await c.GetStringAsync("/api/v3/breaches")).RootElement.EnumerateArray().Select(b => b.GetProperty("Name").GetString());
        Assert.Equal(["Alpha", "Beta"], names);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/v3/breach/Adobe")).StatusCode);
    }

    [Fact]
    public async Task Breaches_Filters_ByDomainAndSpamList()
    {
        using var c = f.Server.Client();
        var all = JsonDocument.Parse(await c.GetStringAsync("/api/v3/breaches")).RootElement;
        Assert.Equal(BreachFields, all[0].EnumerateObject().Select(p => p.Name));
        var beta = JsonDocument.Parse(await c.GetStringAsync("/api/v3/breaches?Domain=beta.example")).RootElement;
        Assert.Equal("Beta", Assert.Single(beta.EnumerateArray()).GetProperty("Name").GetString());
        Assert.Equal("[]", await c.GetStringAsync("/api/v3/breaches?isSpamList=true"));
        Assert.Equal(2, JsonDocument.Parse(await c.GetStringAsync("/api/v3/breaches?IsSpamList=false")).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Breach_ByName_ReturnsOneOr404()
    {
        using var c = f.Server.Client();
        var b = JsonDocument.Parse(await c.GetStringAsync("/api/v3/breach/alpha")).RootElement;
        Assert.Equal("Alpha", b.GetProperty("Name").GetString());
        Assert.Equal(BreachFields, b.EnumerateObject().Select(p => p.Name));
        var missing = await c.GetAsync("/api/v3/breach/NoSuchBreach");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LatestBreach_ReturnsMostRecentlyAdded()
    {
        using var c = f.Server.Client();
        var b = JsonDocument.Parse(await c.GetStringAsync("/api/v3/latestbreach")).RootElement;
        Assert.Equal("Beta", b.GetProperty("Name").GetString());
    }

    [Fact]
    public async Task DataClasses_ReturnsSortedUnionAsStrings()
    {
        using var c = f.Server.Client();
        var classes = JsonDocument.Parse(await c.GetStringAsync("/api/v3/dataclasses")).RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("Email addresses", classes);
        Assert.Contains("Phone numbers", classes);
        Assert.Equal(classes.Order(StringComparer.OrdinalIgnoreCase), classes);
        Assert.Equal(classes.Distinct(), classes);
    }

    [Fact]
    public async Task SubscriptionStatus_WithKey_ReturnsHibpFields()
    {
        using var c = f.Server.Client(f.Key);
        var s = JsonDocument.Parse(await c.GetStringAsync("/api/v3/subscription/status")).RootElement;
        Assert.Equal(["SubscriptionName", "Description", "SubscribedUntil", "Rpm", "DomainSearchMaxBreachedAccounts", "IncludesStealerLogs"],
            s.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1_000_000, s.GetProperty("Rpm").GetInt32());
        Assert.False(s.GetProperty("IncludesStealerLogs").GetBoolean());
        using var anonymous = f.Server.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v3/subscription/status")).StatusCode);
    }

    [Fact]
    public async Task Operations_HealthMetricsOnItsListenerOpenApiScalar_Served()
    {
        using var c = f.Server.Client();
        var health = JsonDocument.Parse(await c.GetStringAsync("/healthz")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(2, health.GetProperty("generation").GetInt64());

        // The duration series below is for a request this test makes itself, not one another test may have made.
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/v3/breaches")).StatusCode);
        using var scraper = f.Server.MetricsClient();
        var metrics = await scraper.GetStringAsync("/metrics");
        Assert.Contains("leakwatch_index_generation 2", metrics, StringComparison.Ordinal);
        Assert.Contains("leakwatch_http_request_duration_seconds_bucket{endpoint=\"/api/v3/breaches\"", metrics, StringComparison.Ordinal);
        Assert.Contains("leakwatch_rate_limit_rejections_total", metrics, StringComparison.Ordinal);
        Assert.Contains("leakwatch_enumeration_blocks_total", metrics, StringComparison.Ordinal);

        var openApi = JsonDocument.Parse(await c.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v3/breachedaccount/{account}", out _));

        var page = await c.GetStringAsync("/scalar/");
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
        Assert.Contains("scalar.js", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/scalar/scalar.js")).StatusCode);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Leakwatch.Core;
using Leakwatch.Server.Pages;

namespace Leakwatch.Server.Tests;

/// <summary>The page, its assets, the breach catalogue and /api/advice on a real server.</summary>
[Collection(ServerCollection.Name)]
public partial class PageTests(ServerFixture f)
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static void AssertPageHeaders(HttpResponseMessage r)
    {
        Assert.Equal(Csp, Assert.Single(r.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(r.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(r.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(r.Headers.GetValues("X-Frame-Options")));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/breaches")]
    [InlineData("/assets/app.js")]
    [InlineData("/assets/leakwatch.js")]
    [InlineData("/assets/style.css")]
    [InlineData("/api/advice")]
    [InlineData("/assets/no-such-file.js")]
    public async Task PageResponses_Always_CarryStrictCspNosniffAndNoReferrer(string path)
    {
        using var c = f.Server.Client(userAgent: null);
        using var r = await c.GetAsync(path);
        AssertPageHeaders(r);
    }

    [Fact]
    public async Task Root_Get_ServesThePageWithViewportAndModuleScript()
    {
        using var c = f.Server.Client(userAgent: null);
        using var r = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType!.MediaType);
        var html = await r.Content.ReadAsStringAsync();
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
        Assert.Contains("<script type=\"module\" src=\"/assets/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("aria-live=\"polite\"", html, StringComparison.Ordinal);

        using var head = await c.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/breaches")]
    public async Task Html_Always_HasNoInlineScriptStyleOrHandlersAndNothingFromElsewhere(string path)
    {
        using var c = f.Server.Client(userAgent: null);
        var html = await c.GetStringAsync(path);
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(StyleOrHandlerAttribute(), html);
        Assert.DoesNotMatch(ExternalUrl(), html);
    }

    [Fact]
    public async Task Root_EveryFormControl_HasALabel()
    {
        using var c = f.Server.Client(userAgent: null);
        var html = await c.GetStringAsync("/");
        var ids = ControlId().Matches(html).Select(m => m.Groups["id"].Value).ToList();
        Assert.Equal(["account", "region", "password", "notify-email"], ids);
        foreach (var id in ids)
        {
            Assert.Contains($"<label for=\"{id}\">", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/assets/app.js", "text/javascript")]
    [InlineData("/assets/leakwatch.js", "text/javascript")]
    [InlineData("/assets/style.css", "text/css")]
    [InlineData("/assets/icon.svg", "image/svg+xml")]
    public async Task Assets_Get_ServedWithTypeAndEtag_AndRevalidateTo304(string path, string mediaType)
    {
        using var c = f.Server.Client(userAgent: null);
        using var r = await c.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(mediaType, r.Content.Headers.ContentType!.MediaType);
        Assert.True((await r.Content.ReadAsByteArrayAsync()).Length > 100);
        var etag = r.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var r304 = await c.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, r304.StatusCode);
    }

    [Fact]
    public async Task Assets_UnknownPath_Returns404()
    {
        using var c = f.Server.Client(userAgent: null);
        using var r = await c.GetAsync("/assets/../appsettings.json");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using var r2 = await c.GetAsync("/assets/missing.js");
        Assert.Equal(HttpStatusCode.NotFound, r2.StatusCode);
    }

    [Fact]
    public async Task Catalogue_Get_ListsEveryBreachWithItsDataClassesAndReportLink()
    {
        using var c = f.Server.Client();
        var html = await c.GetStringAsync("/breaches");
        var breaches = JsonDocument.Parse(await c.GetStringAsync("/api/v3/breaches")).RootElement;
        Assert.Equal(2, breaches.GetArrayLength());
        foreach (var b in breaches.EnumerateArray())
        {
            var name = b.GetProperty("Name").GetString()!;
            var title = b.GetProperty("Title").GetString()!;
            var item = Regex.Match(html, $"<li class=\"breach\" id=\"breach-{name}\">.*?</li>\n", RegexOptions.Singleline, MatchTimeout);
            Assert.True(item.Success, name);
            Assert.Contains($"<h2>{WebUtility.HtmlEncode(title)}</h2>", item.Value, StringComparison.Ordinal);
            foreach (var dc in b.GetProperty("DataClasses").EnumerateArray())
            {
                Assert.Contains($"<li>{WebUtility.HtmlEncode(dc.GetString())}</li>", item.Value, StringComparison.Ordinal);
            }

            Assert.Contains($"href=\"/breaches/{name}/report\"", item.Value, StringComparison.Ordinal);
            using var report = await c.GetAsync($"/breaches/{name}/report");
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        Assert.Contains("<span class=\"flag\">Unverified</span>", Regex.Match(html, "id=\"breach-Beta\">.*?</li>", RegexOptions.Singleline, MatchTimeout).Value, StringComparison.Ordinal);
        // Newest breach first.
        Assert.True(html.IndexOf("id=\"breach-Beta\"", StringComparison.Ordinal) < html.IndexOf("id=\"breach-Alpha\"", StringComparison.Ordinal));
    }

    [Fact]
    public void CataloguePage_OperatorText_IsHtmlEncodedAndDescriptionMarkupDropped()
    {
        var html = CataloguePage.Render(
        [
            new Breach
            {
                Id = 1, Name = "X<y>", Title = "<script>alert(1)</script>", Domain = "a\"b.example",
                Description = "<a href=\"https://evil.example\" onclick=\"x()\">Leak</a> of <b>users</b> &amp; more",
                DataClasses = ["<img src=x onerror=alert(1)>"], IsVerified = true,
            },
            new Breach { Id = 2, Name = "Gone", Title = "Retired one", IsRetired = true, IsVerified = true },
        ]);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"description\">Leak of users &amp; more</p>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/breaches/X%3Cy%3E/report\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Retired one", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advice_Get_ServesTheCoreTable()
    {
        using var c = f.Server.Client(userAgent: null);
        using var r = await c.GetAsync("/api/advice");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
        var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ExposureAdvice.Version, doc.GetProperty("version").GetInt32());
        var rules = doc.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(ExposureAdvice.Rules.Select(x => x.Id), rules.Select(x => x.GetProperty("id").GetString()));
        var phone = rules.Single(x => x.GetProperty("id").GetString() == "phone");
        Assert.Equal([[DataClass.PhoneNumbers]], phone.GetProperty("when").EnumerateArray().Select(a => a.EnumerateArray().Select(s => s.GetString()).ToArray()).ToArray());
        Assert.Equal(ExposureAdvice.Rules.Single(x => x.Id == "phone").Steps, phone.GetProperty("steps").EnumerateArray().Select(s => s.GetString()));
    }

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<[^>]+\\s(?:style|on[a-z]+)\\s*=", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex StyleOrHandlerAttribute();

    [GeneratedRegex("(?:src|href)\\s*=\\s*\"(?:https?:)?//", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex("<(?:input|select|textarea)[^>]*\\sid=\"(?<id>[^\"]+)\"", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ControlId();
}

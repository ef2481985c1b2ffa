using System.Net;
using System.Text.RegularExpressions;
using Leakwatch.Core;
using Leakwatch.Server.Pages;

namespace Leakwatch.Server.Tests;

/// <summary>The pages rendered through the one layout: the same header and navigation, the current page marked,
/// text encoded once and exactly as before the templates.</summary>
[Collection(ServerCollection.Name)]
public partial class PageLayoutTests(ServerFixture f)
{
    [Theory]
    [InlineData("/", "/", "#how")]
    [InlineData("/breaches", "/breaches", "/#how")]
    public async Task Pages_HaveTheSiteHeader_WithTheirOwnLinkMarkedCurrent(string path, string current, string howHref)
    {
        using var c = f.Server.Client(userAgent: null);
        var html = await c.GetStringAsync(path);
        var header = Assert.Single(SiteHeader().Matches(html)).Value;
        Assert.Contains("<a class=\"brand\" href=\"/\">", header, StringComparison.Ordinal);
        var marked = Assert.Single(CurrentLink().Matches(header));
        Assert.Equal(current, marked.Groups["href"].Value);
        Assert.Contains($"<a href=\"{howHref}\">How it works</a>", header, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/scalar\">API</a>", header, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", html, StringComparison.Ordinal);
        Assert.EndsWith("</footer>\n</body>\n</html>\n", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_Get_ServedFromMemoryWithEtag_AndRevalidatesTo304()
    {
        using var c = f.Server.Client(userAgent: null);
        using var r = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var etag = r.Headers.ETag!;
        Assert.Equal(r.Content.Headers.ContentLength, (await r.Content.ReadAsByteArrayAsync()).Length);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/");
        again.Headers.IfNoneMatch.Add(etag);
        using var r304 = await c.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, r304.StatusCode);
    }

    [Fact]
    public void CataloguePage_NonAsciiQuotesAndMarkup_EncodedOnceAsWebUtilityDoes()
    {
        const string title = "<b>Müller & 'Co'</b> \"+\" – café 😀";
        var html = CataloguePage.Render(
        [
            new Breach { Id = 1, Name = "M&ü", Title = title, Domain = "ü'.example", DataClasses = ["Naïve & 'x'"], IsVerified = true },
        ]);
        Assert.Contains($"<h2>{WebUtility.HtmlEncode(title)}</h2>", html, StringComparison.Ordinal);
        Assert.Contains($"aria-label=\"Data exposed in {WebUtility.HtmlEncode(title)}\"", html, StringComparison.Ordinal);
        Assert.Contains($"id=\"{WebUtility.HtmlEncode("breach-M&ü")}\"", html, StringComparison.Ordinal);
        Assert.Contains($"<span>{WebUtility.HtmlEncode("ü'.example")}</span>", html, StringComparison.Ordinal);
        Assert.Contains($"<li>{WebUtility.HtmlEncode("Naïve & 'x'")}</li>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/breaches/M%26%C3%BC/report\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("&amp;amp;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("&#x", html, StringComparison.Ordinal);
        Assert.Contains("<title>Breaches · Leakwatch</title>", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<header class=\"site\">.*?</header>", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SiteHeader();

    [GeneratedRegex("<a href=\"(?<href>[^\"]*)\" aria-current=\"page\">", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CurrentLink();
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Leakwatch.Core;

namespace Leakwatch.Server.Pages;

/// <summary>
/// <c>/breaches</c>: every listed breach, newest first, with its data classes and a link to its verification report.
/// Rendered on the server (it works without script) with the page's stylesheet; all text is HTML-encoded.
/// </summary>
internal static partial class CataloguePage
{
    public static string Render(IEnumerable<Breach> breaches)
    {
        var listed = breaches.Where(b => !b.IsRetired).OrderByDescending(b => b.BreachDate).ThenBy(b => b.Name, StringComparer.OrdinalIgnoreCase).ToList();
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(4096 + (listed.Count * 1024));
        sb.Append("""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>Breaches · Leakwatch</title>
            <link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
            <link rel="stylesheet" href="/assets/style.css">
            </head>
            <body>
            <a class="skip" href="#main">Skip to the list</a>
            <header class="site">
              <div class="bar">
                <a class="brand" href="/"><img src="/assets/icon.svg" alt="" width="28" height="28"><span>Leakwatch</span></a>
                <nav aria-label="Main">
                  <a href="/">Check</a>
                  <a href="/breaches" aria-current="page">Breaches</a>
                  <a href="/#how">How it works</a>
                  <a href="/scalar">API</a>
                </nav>
              </div>
            </header>
            <main id="main">
            <section class="intro">
            <h1>Breaches</h1>

            """);
        var accounts = listed.Sum(b => b.PwnCount);
        sb.Append(inv, $"<p class=\"lede summary\">{listed.Count:N0} breach{(listed.Count == 1 ? "" : "es")}, {accounts:N0} accounts in total. ");
        sb.Append("Each one links to its verification report: how the data was checked for duplicates, validity, overlap with earlier breaches and signs of fabrication.</p>\n</section>\n");
        if (listed.Count == 0)
        {
            sb.Append("<p class=\"status pending\">No breach has been loaded yet.</p>\n");
        }
        else
        {
            sb.Append("<ul class=\"catalogue\">\n");
            foreach (var b in listed)
            {
                AppendBreach(sb, b);
            }

            sb.Append("</ul>\n");
        }

        sb.Append("""
            </main>
            <footer class="site">
              <p>The same list, as JSON: <a href="/api/v3/breaches">/api/v3/breaches</a> (Have I Been Pwned API v3 format).</p>
            </footer>
            </body>
            </html>

            """);
        return sb.ToString();
    }

    private static void AppendBreach(StringBuilder sb, Breach b)
    {
        var inv = CultureInfo.InvariantCulture;
        var name = Uri.EscapeDataString(b.Name);
        var title = string.IsNullOrWhiteSpace(b.Title) ? b.Name : b.Title;
        sb.Append("<li class=\"breach\" id=\"").Append(Encode("breach-" + b.Name)).Append("\">\n<div class=\"breach-head\"><h2>")
            .Append(Encode(title)).Append("</h2>");
        foreach (var flag in Flags(b))
        {
            sb.Append("<span class=\"flag\">").Append(flag).Append("</span>");
        }

        sb.Append("</div>\n<p class=\"meta\">");
        sb.Append(inv, $"<span>Breached {b.BreachDate:yyyy-MM-dd}</span>");
        if (!string.IsNullOrWhiteSpace(b.Domain))
        {
            sb.Append("<span>").Append(Encode(b.Domain)).Append("</span>");
        }

        sb.Append(inv, $"<span>{b.PwnCount:N0} accounts</span><span>Added {b.AddedDate:yyyy-MM-dd}</span></p>\n");
        var description = PlainText(b.Description);
        if (description.Length > 0)
        {
            sb.Append("<p class=\"description\">").Append(Encode(description)).Append("</p>\n");
        }

        sb.Append("<p class=\"classes-label\">Exposed data</p>\n<ul class=\"classes\" aria-label=\"Data exposed in ").Append(Encode(title)).Append("\">");
        foreach (var c in b.DataClasses)
        {
            sb.Append("<li>").Append(Encode(c)).Append("</li>");
        }

        sb.Append("</ul>\n<a class=\"report\" href=\"/breaches/").Append(name).Append("/report\">Verification report<span class=\"visually-hidden\"> for ")
            .Append(Encode(title)).Append("</span></a>\n</li>\n");
    }

    private static IEnumerable<string> Flags(Breach b)
    {
        if (!b.IsVerified)
        {
            yield return "Unverified";
        }

        if (b.IsFabricated)
        {
            yield return "Fabricated";
        }

        if (b.IsSpamList)
        {
            yield return "Spam list";
        }

        if (b.IsSensitive)
        {
            yield return "Sensitive";
        }
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);

    /// <summary>HIBP descriptions are HTML; the catalogue shows their text only (no operator markup reaches the page).</summary>
    private static string PlainText(string html) =>
        string.IsNullOrWhiteSpace(html) ? "" : Whitespace().Replace(WebUtility.HtmlDecode(Tags().Replace(html, " ")), " ").Trim();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

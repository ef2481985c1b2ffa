using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Leakwatch.Core;
using Leakwatch.Templates;
using Microsoft.AspNetCore.Components;

namespace Leakwatch.Server.Pages;

/// <summary>
/// <c>/breaches</c>: every listed breach, newest first, with its data classes and a link to its verification report.
/// Rendered on the server (it works without script) with the page's stylesheet; all text is HTML-encoded.
/// </summary>
public sealed partial class CataloguePage
{
    /// <summary>The listed (not retired) breaches, newest first.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<Breach> Listed { get; set; } = [];

    private string Summary
    {
        get
        {
            var accounts = Listed.Sum(b => b.PwnCount);
            return string.Create(CultureInfo.InvariantCulture, $"{Listed.Count:N0} breach{(Listed.Count == 1 ? "" : "es")}, {accounts:N0} accounts in total.");
        }
    }

    public static string Render(IEnumerable<Breach> breaches)
    {
        var listed = breaches.Where(b => !b.IsRetired).OrderByDescending(b => b.BreachDate).ThenBy(b => b.Name, StringComparer.OrdinalIgnoreCase).ToList();
        return ComponentHtml.Render<CataloguePage>(new Dictionary<string, object?> { [nameof(Listed)] = listed });
    }

    private static string TitleOf(Breach b) => string.IsNullOrWhiteSpace(b.Title) ? b.Name : b.Title;

    private static string ReportHref(Breach b) => "/breaches/" + Uri.EscapeDataString(b.Name) + "/report";

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

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

    /// <summary>HIBP descriptions are HTML; the catalogue shows their text only (no operator markup reaches the page).</summary>
    private static string PlainText(string html) =>
        string.IsNullOrWhiteSpace(html) ? "" : Whitespace().Replace(WebUtility.HtmlDecode(Tags().Replace(html, " ")), " ").Trim();

    [GeneratedRegex("<[^>]*>", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Whitespace();
}

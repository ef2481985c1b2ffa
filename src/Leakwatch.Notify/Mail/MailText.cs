using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Leakwatch.Notify.Mail;

/// <summary>The plain-text part of a mail, and the one way catalogue HTML becomes plain text.</summary>
public static partial class MailText
{
    private const int Width = 76;

    public static string Render(MailContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var text = new StringBuilder();
        text.Append(content.Heading).Append('\n').Append('=', Math.Min(content.Heading.Length, Width)).Append("\n\n");
        foreach (var p in content.Intro)
        {
            Wrap(text, p, "").Append('\n');
        }

        if (content.Breach is { } b)
        {
            text.Append("Breach:        ").Append(b.Title).Append('\n');
            text.Append("Breach date:   ").Append(b.BreachDate).Append('\n');
            text.Append("Added:         ").Append(b.AddedDate).Append('\n');
            text.Append("Accounts:      ").Append(b.Accounts).Append('\n');
            text.Append("Exposed data:  ").Append(string.Join(", ", b.DataClasses)).Append("\n\n");
            if (b.Description.Length > 0)
            {
                Wrap(text, b.Description, "").Append('\n');
            }
        }

        if (content.Advice.Count > 0)
        {
            text.Append("What to do\n----------\n\n");
            foreach (var rule in content.Advice)
            {
                text.Append(rule.Title).Append('\n');
                foreach (var step in rule.Steps)
                {
                    Wrap(text, step, "  - ");
                }

                text.Append('\n');
            }
        }

        if (content.Action is { } a)
        {
            text.Append(a.Text).Append(":\n").Append(a.Url).Append("\n\n");
        }

        if (content.Breach is { } report)
        {
            text.Append("The breach's verification report:\n").Append(report.ReportUrl).Append("\n\n");
        }

        foreach (var note in content.Notes)
        {
            Wrap(text, note, "").Append('\n');
        }

        text.Append("-- \n");
        Wrap(text, content.Footer, "");
        if (content.UnsubscribeUrl is { } unsubscribe)
        {
            text.Append("Unsubscribe with one click: ").Append(unsubscribe).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Catalogue text (a breach description may hold HTML, as HIBP's do) as plain text: tags (and what
    /// scripts and style sheets hold) dropped,
    /// entities decoded, whitespace collapsed. The HTML part encodes the result again, so no markup from the catalogue
    /// reaches a mail.</summary>
    public static string FromHtml(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var noTags = Tags().Replace(Scripts().Replace(Comments().Replace(html, " "), " "), " ");
        return Spaces().Replace(WebUtility.HtmlDecode(noTags), " ").Trim();
    }

    /// <summary>Appends <paramref name="paragraph"/> wrapped at <see cref="Width"/>, the first line after
    /// <paramref name="bullet"/>, the rest indented to match; a word longer than a line (a link) stays whole.</summary>
    private static StringBuilder Wrap(StringBuilder text, string paragraph, string bullet)
    {
        var indent = new string(' ', bullet.Length);
        var line = new StringBuilder(bullet);
        var empty = true;
        foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                text.Append(line).Append('\n');
                line.Clear().Append(indent);
                empty = true;
            }

            if (!empty)
            {
                line.Append(' ');
            }

            line.Append(word);
            empty = false;
        }

        return text.Append(line).Append('\n');
    }

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Comments();

    [GeneratedRegex(@"<(?<tag>script|style)\b.*?(</\k<tag>\s*>|$)", RegexOptions.ExplicitCapture | RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Scripts();

    [GeneratedRegex("<[^>]*>?", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Spaces();
}

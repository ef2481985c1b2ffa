using Leakwatch.Templates;
using Microsoft.AspNetCore.Components;

namespace Leakwatch.Server.Pages;

/// <summary>
/// The pages a mailed link opens: a subscription confirmed, an unsubscribe or opt-out to confirm with a button (a GET
/// changes nothing: mail scanners fetch links), done, or a link that expired. Rendered on the server, without script,
/// through the site's layout; all text is HTML-encoded.
/// </summary>
public sealed partial class NoticePage
{
    [Parameter, EditorRequired]
    public string Heading { get; set; } = "";

    [Parameter, EditorRequired]
    public string Message { get; set; } = "";

    /// <summary>Where the page's one button posts; null for a page without a button.</summary>
    [Parameter]
    public string? FormAction { get; set; }

    [Parameter]
    public string ButtonText { get; set; } = "";

    /// <summary>The form also sends <c>List-Unsubscribe=One-Click</c>, the body of an RFC 8058 one-click unsubscribe.</summary>
    [Parameter]
    public bool OneClick { get; set; }

    [Parameter]
    public string? Link { get; set; }

    [Parameter]
    public string LinkText { get; set; } = "";

    public static string Render(string heading, string message, string? formAction = null, string buttonText = "", bool oneClick = false,
        string? link = null, string linkText = "") =>
        ComponentHtml.Render<NoticePage>(new Dictionary<string, object?>
        {
            [nameof(Heading)] = heading,
            [nameof(Message)] = message,
            [nameof(FormAction)] = formAction,
            [nameof(ButtonText)] = buttonText,
            [nameof(OneClick)] = oneClick,
            [nameof(Link)] = link,
            [nameof(LinkText)] = linkText,
        });
}

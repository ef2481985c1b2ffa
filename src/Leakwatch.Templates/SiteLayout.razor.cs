using Microsoft.AspNetCore.Components;

namespace Leakwatch.Templates;

/// <summary>
/// The layout of the server's pages, written once: the document head with the site's stylesheet and icon, the skip
/// link, the header with the main navigation, the main element and the footer.
/// </summary>
public partial class SiteLayout
{
    /// <summary>The title's text (see <see cref="HtmlDocument.Title"/>).</summary>
    [Parameter, EditorRequired]
    public RenderFragment? Title { get; set; }

    [Parameter, EditorRequired]
    public SitePage Current { get; set; }

    /// <summary>The skip link's text, naming what <c>main</c> holds on this page.</summary>
    [Parameter, EditorRequired]
    public string SkipLinkText { get; set; } = "";

    /// <summary>The page's own meta elements (before the title), each ending with a line break.</summary>
    [Parameter]
    public RenderFragment? MetaTags { get; set; }

    /// <summary>The page's scripts (after the stylesheet), each ending with a line break; the CSP allows only this origin's.</summary>
    [Parameter]
    public RenderFragment? Scripts { get; set; }

    /// <summary>The content of <c>main</c>, ending with a line break.</summary>
    [Parameter]
    public RenderFragment? ChildContent { get; set; }

    /// <summary>The content of the footer, ending with a line break.</summary>
    [Parameter]
    public RenderFragment? Footer { get; set; }

    /// <summary><c>aria-current="page"</c> on the current page's link; null leaves the attribute out.</summary>
    private string? CurrentOn(SitePage page) => page == Current ? "page" : null;
}

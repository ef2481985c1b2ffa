using Microsoft.AspNetCore.Components;

namespace Leakwatch.Templates;

/// <summary>
/// The one document shell of every HTML page and report: doctype, language, charset and title. Each fragment is
/// written as given, so whatever it holds (its line breaks included) reaches the output byte for byte.
/// </summary>
public partial class HtmlDocument
{
    /// <summary>The title's text: literal text in a template is written as is, an expression is encoded.</summary>
    [Parameter, EditorRequired]
    public RenderFragment? Title { get; set; }

    /// <summary>Head elements before the title, each ending with a line break.</summary>
    [Parameter]
    public RenderFragment? BeforeTitle { get; set; }

    /// <summary>Head elements after the title, each ending with a line break.</summary>
    [Parameter]
    public RenderFragment? AfterTitle { get; set; }

    /// <summary>The body, ending with a line break.</summary>
    [Parameter]
    public RenderFragment? ChildContent { get; set; }
}

using Leakwatch.Templates;
using Microsoft.AspNetCore.Components;

namespace Leakwatch.Notify.Mail;

/// <summary>
/// The HTML part of a mail: one 600-pixel column, tables for layout and inline styles only, as mail clients
/// (Outlook, Gmail) drop style sheets and ignore most CSS. Every value is encoded by the renderer.
/// </summary>
public sealed partial class MailHtml
{
    private const string Box =
        "max-width:600px;width:100%;background:#ffffff;border:1px solid #d0d7de;border-radius:8px;" +
        "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1d2733;";

    private const string Label = "padding:6px 12px 6px 0;color:#57606a;white-space:nowrap;vertical-align:top;border-bottom:1px solid #eaeef2;";

    private const string Value = "padding:6px 0;vertical-align:top;border-bottom:1px solid #eaeef2;";

    [Parameter, EditorRequired]
    public MailContent Content { get; set; } = null!;

    public static string Render(MailContent content) =>
        ComponentHtml.Render<MailHtml>(new Dictionary<string, object?> { [nameof(Content)] = content });
}

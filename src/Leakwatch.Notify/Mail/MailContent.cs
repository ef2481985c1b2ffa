using Leakwatch.Core;

namespace Leakwatch.Notify.Mail;

/// <summary>
/// One mail's words, rendered twice: as the text part (<see cref="MailText"/>) and as the HTML part
/// (<see cref="MailHtml"/>), so the two parts cannot say different things.
/// </summary>
public sealed record MailContent
{
    public required string Subject { get; init; }

    /// <summary>The line mail clients show after the subject in the inbox list.</summary>
    public required string Preheader { get; init; }

    public required string Heading { get; init; }

    public IReadOnlyList<string> Intro { get; init; } = [];

    public MailAction? Action { get; init; }

    public BreachFacts? Breach { get; init; }

    /// <summary>The advice for the exposed data classes (<see cref="ExposureAdvice"/>, the page's table).</summary>
    public IReadOnlyList<AdviceRule> Advice { get; init; } = [];

    /// <summary>Small print after the action (how long a link is valid, what to do if it was not you).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Why the reader gets this mail.</summary>
    public required string Footer { get; init; }

    /// <summary>The one-click unsubscribe link, also in <c>List-Unsubscribe</c>; null for mails to an address that
    /// has not subscribed (verification, opt-out).</summary>
    public string? UnsubscribeUrl { get; init; }
}

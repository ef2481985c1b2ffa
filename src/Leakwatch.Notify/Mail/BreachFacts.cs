namespace Leakwatch.Notify.Mail;

/// <summary>What a breach mail says about the breach: catalogue fields only, the description already plain text.</summary>
public sealed record BreachFacts(
    string Title,
    string BreachDate,
    string AddedDate,
    string Accounts,
    IReadOnlyList<string> DataClasses,
    string Description,
    string ReportUrl);

namespace Leakwatch.Analysis;

/// <summary>The most common full date. <see cref="Date"/> is shown only when at least
/// <see cref="ReportBuilder.MinCountToShowDate"/> rows share it, so no lone person's birth date is printed.</summary>
public sealed record MostCommonDate(string? Date, long Count, Ratio Share);

namespace Leakwatch.Analysis;

/// <summary>Valid birth dates in one year; <see cref="Year"/> is null on the "other" row, which holds the years with
/// fewer than <see cref="ReportBuilder.MinCountToShow"/> rows.</summary>
public sealed record YearCount(int? Year, long Count, bool Spike);

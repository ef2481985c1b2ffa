namespace Leakwatch.Analysis;

/// <summary>A single date far more common than the days around it (a default such as 1900-01-01).</summary>
public sealed record DateSpike(string Date, long Count, double Baseline, Ratio Share);

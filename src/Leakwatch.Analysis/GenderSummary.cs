namespace Leakwatch.Analysis;

public sealed class GenderSummary
{
    public long Female { get; init; }
    public long Male { get; init; }
    public long Other { get; init; }
    public long Unrecognized { get; init; }
    /// <summary>Female share of the values that are female or male.</summary>
    public Ratio? FemaleShare { get; init; }
}

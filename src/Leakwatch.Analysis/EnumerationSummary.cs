namespace Leakwatch.Analysis;

public sealed class EnumerationSummary
{
    /// <summary>"population" for a full run; "sample" when computed on a sample (runs are then not representative).</summary>
    public string Scope { get; init; } = "population";
    public long DistinctNumbers { get; init; }
    public long LongestRun { get; init; }
    public string? LongestRunStartMasked { get; init; }
    public string? LongestRunRegion { get; init; }
    public long RunsOf10 { get; init; }
    public long NumbersInRunsOf10 { get; init; }
    public long RunsOf100 { get; init; }
    public long NumbersInRunsOf100 { get; init; }
    public Ratio ShareInRunsOf100 { get; init; } = Ratio.Zero;
    public IReadOnlyList<RunLengthRow> RunLengthHistogram { get; init; } = [];
    public IReadOnlyList<CountryDensityRow> ByCountry { get; init; } = [];
}

namespace Leakwatch.Analysis;

/// <summary>What <see cref="NumberRunDetector"/> found. Aggregates only: the longest run's start is masked.</summary>
public sealed record EnumerationResult
{
    public long DistinctNumbers { get; init; }
    public long LongestRun { get; init; }
    public string? LongestRunStartMasked { get; init; }
    public int LongestRunCallingCode { get; init; }
    public string? LongestRunRegion { get; init; }
    public long RunsOf10 { get; init; }
    public long NumbersInRunsOf10 { get; init; }
    public long RunsOf100 { get; init; }
    public long NumbersInRunsOf100 { get; init; }
    public IReadOnlyList<RunLengthBucket> RunLengths { get; init; } = [];
    public IReadOnlyList<CountryRunDensity> ByCountry { get; init; } = [];
}

namespace Leakwatch.Analysis;

public sealed class DomainCheck
{
    public string ClaimedDomain { get; init; } = "";
    public long ClaimedCount { get; init; }
    public Ratio ClaimedShare { get; init; } = Ratio.Zero;
    public string? DominantDomain { get; init; }
    public long DominantCount { get; init; }
    public Ratio? DominantShare { get; init; }
    public bool Mismatch { get; init; }
}

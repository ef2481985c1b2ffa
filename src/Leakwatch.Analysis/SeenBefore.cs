namespace Leakwatch.Analysis;

/// <summary>Identifiers of this dump found in any earlier breach (the union of <see cref="VerificationReport.Overlap"/>).
/// <see cref="Exact"/> is false when only per-breach counts were known, then the counts are the largest single overlap: a lower bound.</summary>
public sealed class SeenBefore
{
    public long Emails { get; init; }
    public long Phones { get; init; }
    public bool Exact { get; init; }
    public Ratio EmailRatio { get; init; } = Ratio.Zero;
    public Ratio PhoneRatio { get; init; } = Ratio.Zero;
    public Ratio IdentifierRatio { get; init; } = Ratio.Zero;
}

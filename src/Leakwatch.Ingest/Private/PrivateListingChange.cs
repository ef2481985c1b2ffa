namespace Leakwatch.Ingest.Private;

/// <summary>The private side of a breach's listing change: the outcome, the build when one ran, and one line for the
/// operator when something needs doing.</summary>
public sealed record PrivateListingChange(PrivateListingOutcome Outcome, PrivateBuildResult? Build = null, string? Message = null)
{
    public static readonly PrivateListingChange None = new(PrivateListingOutcome.Unchanged);
}

namespace Leakwatch.Analysis;

/// <summary>An evidence-backed finding: what was concluded, how sure, from what, and by which stated rule.</summary>
public sealed record Finding(
    [property: System.Text.Json.Serialization.JsonPropertyName("finding")] string Kind,
    string Confidence,
    IReadOnlyList<string> Evidence,
    string Threshold);

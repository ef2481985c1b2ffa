using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

/// <summary>Row-level problems (skipped rows): a count and the first few locations.</summary>
public sealed class ProblemSummary
{
    public const int MaxListed = 5;
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("first")] public List<string> First { get; set; } = [];
}

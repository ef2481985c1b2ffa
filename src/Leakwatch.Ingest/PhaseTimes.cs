using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

public sealed class PhaseTimes
{
    /// <summary>Reading, parsing, normalizing and hashing (overlapped on the reader and worker threads).</summary>
    [JsonPropertyName("read")] public double Read { get; set; }
    /// <summary>Sorting the last in-memory buffers (spills during reading are part of read).</summary>
    [JsonPropertyName("sort")] public double Sort { get; set; }
    /// <summary>Merging sorted runs and the previous index into the new index file, with fsync.</summary>
    [JsonPropertyName("merge")] public double Merge { get; set; }
    [JsonPropertyName("publish")] public double Publish { get; set; }
    /// <summary>Matching subscriptions and monitored identifiers against the published breach (the outbox rows).</summary>
    [JsonPropertyName("match")] public double Match { get; set; }
}

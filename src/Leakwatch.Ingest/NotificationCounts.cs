using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

/// <summary>The matching pass after a publish: how many watchers it merged against and how many notifications it
/// queued; <see cref="Error"/> when it could not run (the breach stays published; the next pass matches it).</summary>
public sealed class NotificationCounts
{
    [JsonPropertyName("watchers")] public int Watchers { get; set; }
    [JsonPropertyName("queued")] public int Queued { get; set; }
    /// <summary>Seconds reading the watchers, passing over the index, and writing the outbox.</summary>
    [JsonPropertyName("loadSeconds")] public double LoadSeconds { get; set; }
    [JsonPropertyName("mergeSeconds")] public double MergeSeconds { get; set; }
    [JsonPropertyName("queueSeconds")] public double QueueSeconds { get; set; }
    /// <summary>Seconds spent writing outbox rows during the merge, ahead of the publish (not on the ingest's path).</summary>
    [JsonPropertyName("aheadSeconds")] public double AheadSeconds { get; set; }
    /// <summary>True when the ingest's own merge found the matches (the usual case); false when a pass over the
    /// index did (an earlier breach was left unmatched, or the watchers could not be read during the merge).</summary>
    [JsonPropertyName("inMerge")] public bool InMerge { get; set; }
    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }
}

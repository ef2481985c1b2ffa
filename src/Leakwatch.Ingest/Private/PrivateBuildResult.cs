using System.Text.Json.Serialization;

namespace Leakwatch.Ingest.Private;

/// <summary>What a private build did. Aggregates only.</summary>
public sealed class PrivateBuildResult
{
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("breaches")] public List<string> Breaches { get; set; } = [];
    [JsonPropertyName("keyId")] public string KeyId { get; set; } = "";
    [JsonPropertyName("generation")] public long Generation { get; set; }
    /// <summary>Bucket sections: code 0 for emails, else a calling code, each with its bucket bits.</summary>
    [JsonPropertyName("sections")] public List<Leakwatch.Privacy.Buckets.PrivateManifestSection> Sections { get; set; } = [];
    [JsonPropertyName("bucketCount")] public long BucketCount { get; set; }
    [JsonPropertyName("bucketEntries")] public int BucketEntries { get; set; }
    /// <summary>Real entries written by this build (on the console only: the file and manifest keep no such count).</summary>
    [JsonPropertyName("realEntries")] public long RealEntries { get; set; }
    [JsonPropertyName("indexBytes")] public long IndexBytes { get; set; }
    /// <summary>A resume found this build already published (killed just after the swap): nothing was evaluated or merged again.</summary>
    [JsonPropertyName("alreadyPublished")] public bool AlreadyPublished { get; set; }
    /// <summary>Identifiers (re)indexed by this build.</summary>
    [JsonPropertyName("indexed")] public long Indexed { get; set; }
    /// <summary>Identifiers evaluated whose exposure-index entry was gone (e.g. a breach removed meanwhile): nothing to list.</summary>
    [JsonPropertyName("notInIndex")] public long NotInIndex { get; set; }
    /// <summary>Old entries replaced by an identifier's new chain.</summary>
    [JsonPropertyName("replacedEntries")] public long ReplacedEntries { get; set; }
    /// <summary>Bucket-range partitions the merge sorted one at a time (1: all identifiers fit the memory budget).</summary>
    [JsonPropertyName("partitions")] public int Partitions { get; set; }
    [JsonPropertyName("chunks")] public int Chunks { get; set; }
    /// <summary>Chunks whose OPRF output a previous, interrupted run had already written.</summary>
    [JsonPropertyName("chunksResumed")] public int ChunksResumed { get; set; }
    [JsonPropertyName("evaluated")] public long Evaluated { get; set; }
    [JsonPropertyName("evaluateSeconds")] public double EvaluateSeconds { get; set; }
    [JsonPropertyName("identifiersPerSecond")] public double IdentifiersPerSecond { get; set; }
    /// <summary>Processor time of the OPRF phase: on a shared machine, identifiers per core-second is the steadier figure.</summary>
    [JsonPropertyName("evaluateCpuSeconds")] public double EvaluateCpuSeconds { get; set; }
    [JsonPropertyName("identifiersPerCoreSecond")] public double IdentifiersPerCoreSecond { get; set; }
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    [JsonPropertyName("warnings")] public List<string> Warnings { get; set; } = [];
}

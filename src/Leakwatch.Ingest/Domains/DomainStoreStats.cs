using System.Text.Json.Serialization;

namespace Leakwatch.Ingest.Domains;

/// <summary>What building the domain store cost in an ingest (the ingest's JSON output, <c>domainStore</c>).</summary>
public sealed class DomainStoreStats
{
    /// <summary>(domain, alias) pairs the workers recorded, before deduplication.</summary>
    [JsonPropertyName("pairs")] public long Pairs { get; set; }

    /// <summary>Domains this ingest added aliases to (their pages were opened and sealed again).</summary>
    [JsonPropertyName("touchedDomains")] public long TouchedDomains { get; set; }

    /// <summary>Entries (pages) in the new generation.</summary>
    [JsonPropertyName("entries")] public long Entries { get; set; }

    /// <summary>Of <see cref="Seconds"/>, the part spent sorting the buffers left at the end of the read (and waiting for spills still running).</summary>
    [JsonPropertyName("sortSeconds")] public double SortSeconds { get; set; }

    [JsonPropertyName("seconds")] public double Seconds { get; set; }
}

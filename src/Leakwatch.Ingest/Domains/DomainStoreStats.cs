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

    /// <summary>From the end of the read to the new generation written: the last sorts and the merge.</summary>
    [JsonPropertyName("seconds")] public double Seconds { get; set; }

    /// <summary>How long the publish waited for the store once the index merge had ended (0 when the store was
    /// ready first: it then cost the ingest no time after the read).</summary>
    [JsonPropertyName("waitSeconds")] public double WaitSeconds { get; set; }
}

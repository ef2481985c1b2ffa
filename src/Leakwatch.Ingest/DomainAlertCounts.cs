using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

/// <summary>Domain alerts after a publish (docs/organisations.md, "Domain alerts"): how many verified domains the read
/// pass looked addresses up in, how many lookups it made (none when no domain is verified), how many of the domains
/// the breach holds addresses on, and how many alerts were queued; <see cref="Error"/> when they could not be queued
/// (the breach stays published).</summary>
public sealed class DomainAlertCounts
{
    [JsonPropertyName("verifiedDomains")] public int VerifiedDomains { get; set; }
    [JsonPropertyName("lookups")] public long Lookups { get; set; }
    [JsonPropertyName("domainsHit")] public int DomainsHit { get; set; }
    [JsonPropertyName("queued")] public int Queued { get; set; }
    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }
}

using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

public sealed class OverlapEntry
{
    [JsonPropertyName("breach")] public string Breach { get; set; } = "";
    [JsonPropertyName("emails")] public long Emails { get; set; }
    [JsonPropertyName("phones")] public long Phones { get; set; }
}

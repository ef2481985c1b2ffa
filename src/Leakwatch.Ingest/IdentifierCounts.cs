using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

public sealed class IdentifierCounts
{
    [JsonPropertyName("email")] public long Email { get; set; }
    [JsonPropertyName("phone")] public long Phone { get; set; }
}

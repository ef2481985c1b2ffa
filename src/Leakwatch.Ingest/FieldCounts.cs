using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

public sealed class FieldCounts
{
    [JsonPropertyName("email")] public long Email { get; set; }
    [JsonPropertyName("phone")] public long Phone { get; set; }
    [JsonPropertyName("birthdate")] public long Birthdate { get; set; }
}

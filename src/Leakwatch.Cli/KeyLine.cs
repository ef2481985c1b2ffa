using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

internal sealed record KeyLine(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("rpm")] int Rpm,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("revoked")] DateTimeOffset? Revoked);

using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

internal sealed record CreatedKeyLine(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("rpm")] int Rpm,
    [property: JsonPropertyName("created")] DateTimeOffset Created);

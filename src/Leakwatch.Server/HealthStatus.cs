using System.Text.Json.Serialization;

namespace Leakwatch.Server;

/// <summary><c>GET /healthz</c>.</summary>
public sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("generation")] long Generation,
    [property: JsonPropertyName("breaches")] int Breaches,
    [property: JsonPropertyName("published")] DateTimeOffset? Published);

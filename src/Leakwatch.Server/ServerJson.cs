using System.Text.Json.Serialization;

namespace Leakwatch.Server;

/// <summary>HIBP's truncated breach: just the name.</summary>
internal sealed record HibpBreachName(string Name);

/// <summary><c>GET /api/v3/subscription/status</c>, field names as haveibeenpwned.com.</summary>
public sealed record SubscriptionStatus
{
    public string SubscriptionName { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>ISO 8601 without offset, as HIBP writes it.</summary>
    public string SubscribedUntil { get; init; } = "";
    public int Rpm { get; init; }
    public int? DomainSearchMaxBreachedAccounts { get; init; }
    public bool IncludesStealerLogs { get; init; }
}

/// <summary><c>GET /healthz</c>.</summary>
public sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("generation")] long Generation,
    [property: JsonPropertyName("breaches")] int Breaches,
    [property: JsonPropertyName("published")] DateTimeOffset? Published);

[JsonSerializable(typeof(HibpBreachName))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(SubscriptionStatus))]
[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class ServerJson : JsonSerializerContext;

namespace Leakwatch.Server;

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

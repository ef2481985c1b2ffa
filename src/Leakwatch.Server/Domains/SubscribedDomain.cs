using System.Text.Json.Serialization;

namespace Leakwatch.Server.Domains;

/// <summary>One entry of <c>GET /api/v3/subscribeddomains</c>, field names as haveibeenpwned.com (and the npm
/// <c>hibp</c> client's <c>SubscribedDomain</c>): counts and renewal are nullable there, and null here while unknown.</summary>
public sealed record SubscribedDomain(
    [property: JsonPropertyName("DomainName")] string DomainName,
    [property: JsonPropertyName("PwnCount")] long? PwnCount,
    [property: JsonPropertyName("PwnCountExcludingSpamLists")] long? PwnCountExcludingSpamLists,
    [property: JsonPropertyName("PwnCountExcludingSpamListsAtLastSubscriptionRenewal")] long? PwnCountExcludingSpamListsAtLastSubscriptionRenewal,
    [property: JsonPropertyName("NextSubscriptionRenewal")] string? NextSubscriptionRenewal);

namespace Leakwatch.Catalog.Domains;

/// <summary>How many breached addresses a domain holds, as <c>GET /api/v3/subscribeddomains</c> answers them
/// (HIBP's names); <see cref="PwnCountExcludingSpamListsAtLastSubscriptionRenewal"/> is null where there is no
/// renewal to compare with.</summary>
public sealed record DomainCounts(long PwnCount, long PwnCountExcludingSpamLists, long? PwnCountExcludingSpamListsAtLastSubscriptionRenewal);

using Leakwatch.Catalog;

namespace Leakwatch.Server;

/// <summary>The domain search of a server that cannot verify domains yet: every domain is unverified for every key.
/// Replaced by the domain store's search once domain verification exists.</summary>
internal sealed class NoVerifiedDomains : IDomainSearch
{
    public DomainSearchResult Search(ApiKey key, string domain) => DomainSearchResult.NotVerified;
}

using Leakwatch.Catalog;

namespace Leakwatch.Server;

/// <summary>
/// Domain search (HIBP's <c>breacheddomain</c>): the breached aliases of a domain the calling key has verified.
/// The MCP tool <c>domain_search</c> asks through this, so the domain store can be swapped in without touching it.
/// An implementation leaves opted-out addresses out, and never answers for a domain the key has not verified.
/// </summary>
internal interface IDomainSearch
{
    /// <summary>The aliases of <paramref name="domain"/> (lower-case, no trailing dot) with the names of the breaches
    /// each is in, for <paramref name="key"/>; <see cref="DomainSearchResult.NotVerified"/> when the key has not
    /// verified the domain.</summary>
    DomainSearchResult Search(ApiKey key, string domain);
}

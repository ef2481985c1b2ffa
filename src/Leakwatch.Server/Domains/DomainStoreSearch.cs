using Leakwatch.Catalog;

namespace Leakwatch.Server.Domains;

/// <summary>Domain search through the domain store, for the MCP tool <c>domain_search</c>: the same answer as
/// <c>GET /api/v3/breacheddomain</c>, and nothing for a domain the key has not verified.</summary>
internal sealed class DomainStoreSearch(DomainBreaches breaches, DomainApi domains) : IDomainSearch
{
    public DomainSearchResult Search(ApiKey key, string domain)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!domains.IsVerified(key.Id, domain))
        {
            return DomainSearchResult.NotVerified;
        }

        var aliases = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (alias, found) in breaches.Find(domain))
        {
            aliases[alias] = found.ConvertAll(b => b.Name);
        }

        return new DomainSearchResult(true, aliases);
    }
}

namespace Leakwatch.Catalog.Domains;

/// <summary>No counts for any domain: <c>subscribeddomains</c> then answers them as null, which HIBP's wire allows.</summary>
public sealed class NoDomainCounts : IDomainCounts
{
    public static readonly NoDomainCounts Instance = new();

    public DomainCounts? CountsFor(string domain) => null;
}

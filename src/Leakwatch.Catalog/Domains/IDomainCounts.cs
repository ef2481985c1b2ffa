namespace Leakwatch.Catalog.Domains;

/// <summary>
/// The breached-address counts of a domain, from the domain store (which keeps each domain's aliases sealed). Kept
/// behind this interface so that domain verification and <c>subscribeddomains</c> do not depend on how that store
/// is built; <see cref="NoDomainCounts"/> answers until it is wired.
/// </summary>
public interface IDomainCounts
{
    /// <summary>The counts of <paramref name="domain"/> (canonical, as <see cref="Core.DomainNameNormalizer"/> gives
    /// it), or null when they are not known.</summary>
    DomainCounts? CountsFor(string domain);
}

using Leakwatch.Catalog.Domains;
using Leakwatch.Core;

namespace Leakwatch.Server.Domains;

/// <summary>
/// A domain's breached aliases from the served generation (<see cref="ServingState.BreachedAliases"/>), opted-out
/// addresses left out; and the counts <c>subscribeddomains</c> shows. Leakwatch has no subscription renewals, so the
/// count "at last renewal" is the current count without spam lists.
/// </summary>
internal sealed class DomainBreaches(ExposureService exposure, OptOutFilter optOuts) : IDomainCounts
{
    /// <summary>Alias → breaches, in alias order; empty when no address of the domain is in a breach.</summary>
    public List<(string Alias, List<Breach> Breaches)> Find(string domain)
    {
        var state = exposure.Acquire();
        try
        {
            return state.BreachedAliases(domain, optOuts.Contains);
        }
        finally
        {
            state.Release();
        }
    }

    public DomainCounts? CountsFor(string domain)
    {
        var state = exposure.Acquire();
        try
        {
            if (state.DomainStore is null)
            {
                // No ingest has built the domain store: the counts are not known.
                return null;
            }

            var found = state.BreachedAliases(domain, optOuts.Contains);
            long notSpam = 0;
            foreach (var (_, breaches) in found)
            {
                if (breaches.Exists(b => !b.IsSpamList))
                {
                    notSpam++;
                }
            }

            return new DomainCounts(found.Count, notSpam, notSpam);
        }
        finally
        {
            state.Release();
        }
    }
}

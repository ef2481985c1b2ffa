using System.Collections.Frozen;
using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Leakwatch.Notify;
using Leakwatch.Notify.Domains;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Phases;

/// <summary>
/// Domain alerts (docs/organisations.md, "Domain alerts"): at ingest start the names of every verified domain (all
/// keys) are read into a frozen set and each worker gets a <see cref="DomainTally"/>; the read pass counts distinct
/// addresses per verified domain; after the publish one <see cref="NotifyEvents.DomainBreach"/> alert per (claim,
/// breach) is queued (<see cref="DomainAlertQueue"/>). With no verified domain nothing is attached and the read pass
/// does no work for it. Like matching, a failure after the publish fails nothing: it is reported in the stats.
/// </summary>
internal sealed class DomainAlerts
{
    private readonly string[] _names;
    private readonly DomainTally[] _tallies;

    private DomainAlerts(string[] names, DomainTally[] tallies)
    {
        _names = names;
        _tallies = tallies;
    }

    /// <summary>Gives every worker a tally when some domain is verified; null (and no worker touched) otherwise, or
    /// when the claims cannot be read (<paramref name="counts"/> says why: the ingest goes on without alerts).</summary>
    public static DomainAlerts? Attach(StateStore catalog, IReadOnlyList<WorkerState> workers, DomainAlertCounts counts)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var claim in catalog.Domains())
            {
                if (claim.IsVerified)
                {
                    names.TryAdd(claim.Domain, names.Count);
                }
            }
        }
        catch (Exception e) when (e is LeakwatchException or IOException or System.Data.Common.DbException)
        {
            counts.Error = $"the verified domains could not be read, so no domain alert is sent for this breach ({e.Message})";
            return null;
        }

        counts.VerifiedDomains = names.Count;
        if (names.Count == 0)
        {
            return null;
        }

        var frozen = names.ToFrozenDictionary(StringComparer.Ordinal);
        var ordered = new string[names.Count];
        foreach (var (name, index) in names)
        {
            ordered[index] = name;
        }

        var tallies = new DomainTally[workers.Count];
        for (var i = 0; i < workers.Count; i++)
        {
            tallies[i] = workers[i].DomainTally = new DomainTally(frozen);
        }

        return new DomainAlerts(ordered, tallies);
    }

    /// <summary>The distinct addresses per verified domain the dump holds (domains with none left out).</summary>
    public Dictionary<string, long> Counts(DomainAlertCounts counts)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in _tallies)
        {
            counts.Lookups += t.Lookups;
        }

        for (var d = 0; d < _names.Length; d++)
        {
            HashSet<UInt128>? union = null;
            foreach (var t in _tallies)
            {
                if (t.Keys(d) is { } keys)
                {
                    if (union is null)
                    {
                        union = new HashSet<UInt128>(keys);
                    }
                    else
                    {
                        union.UnionWith(keys);
                    }
                }
            }

            if (union is { Count: > 0 })
            {
                result[_names[d]] = union.Count;
            }
        }

        counts.DomainsHit = result.Count;
        return result;
    }

    /// <summary>Queues the alerts of breach <paramref name="breachId"/>, just published. Never throws for a store or
    /// delivery problem: the breach is public already, so it is reported instead.</summary>
    public void AfterPublish(StateStore catalog, KeyFile keys, string breachName, int breachId, DomainAlertCounts counts)
    {
        var perDomain = Counts(counts);
        if (perDomain.Count == 0)
        {
            return;
        }

        try
        {
            counts.Queued = DomainAlertQueue.Enqueue(catalog, new NotifySealing(keys), breachId, perDomain, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is LeakwatchException or IOException or System.Data.Common.DbException)
        {
            counts.Error = $"{breachName} is published, but its domain alerts are not queued ({e.Message})";
        }
    }
}

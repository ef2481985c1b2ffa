using Leakwatch.Core;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Private;

public sealed partial class PrivateIndexBuilder
{
    /// <summary>Whether a chain may list the breach: public search shows it (neither sensitive nor retired).</summary>
    public static bool IsListed(Breach b) => !b.IsSensitive && !b.IsRetired;

    /// <summary>
    /// `remove` and `breach set --sensitive|--retired` (and clearing them): re-indexes privately every identifier the
    /// exposure index lists in breach <paramref name="breachId"/>, its chain listing only the breaches shown then
    /// (with <paramref name="breachId"/> left out when <paramref name="hiding"/>), and publishes a new generation whose
    /// merge replaces their old chains. The identifiers come from the breach's recorded source; a breach never indexed
    /// privately can still be named in the chains of identifiers other breaches brought in, so then every recorded
    /// source is read, keeping only the breach's members. When hiding and a source cannot be read, the private tier is
    /// withdrawn instead: no generation that may list the breach stays served. The caller holds the writer lock and
    /// changes the catalogue after this when hiding (before it when showing), so a kill in between never shows more.
    /// </summary>
    internal PrivateListingChange Relist(int breachId, bool hiding, IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        var current = _private.ReadManifest();
        if (current is null)
        {
            return PrivateListingChange.None;
        }

        if (current.IsWithdrawn)
        {
            return new PrivateListingChange(PrivateListingOutcome.AlreadyWithdrawn, Message: WithdrawnNotice);
        }

        List<int> hidden = hiding ? [breachId] : [];
        var pending = _paths.Read();
        if (pending is not null && !(pending.Kind == "relist" && pending.OnlyMembersOf == breachId && pending.Hidden.SequenceEqual(hidden)))
        {
            throw new PrivateBuildException($"a private build of {Describe(pending)} is unfinished; run `leakwatch private resume` first, then this command again");
        }

        var state = pending;
        if (state is null)
        {
            var published = PublishedBreaches(ReadPlainManifest());
            var recorded = current.Breaches.FindAll(b => published.Exists(p => p.Id == b.Id));
            var own = recorded.Find(b => b.Id == breachId);
            var sources = own is null ? recorded : [own];
            if (sources.Count == 0)
            {
                // Every identifier with a chain is a member of some recorded source: with none, no chain names the breach.
                return PrivateListingChange.None;
            }

            var missing = sources.Find(s => !File.Exists(s.Source.Path) && !Directory.Exists(s.Source.Path));
            if (missing is not null)
            {
                return Unreadable(current, missing.Name, missing.Source.Path, "not found", hiding);
            }

            state = NewState("relist", current.KeyId, fresh: false,
                sources.ConvertAll(s => new PrivateBuildSource { BreachId = s.Id, Breach = s.Name, Source = s.Source }));
            state.OnlyMembersOf = breachId;
            state.Hidden = hidden;
            _paths.Write(state);
        }

        try
        {
            return new PrivateListingChange(PrivateListingOutcome.Reindexed, Continue(state, progress, ct));
        }
        catch (Exception e) when (e is DumpFormatException or UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException
            or PrivateBuildException { Kind: ErrorKind.BadInput })
        {
            _paths.Delete();
            var source = state.Sources.Find(s => !s.Spilled) ?? state.Sources[0];
            return Unreadable(current, source.Breach, source.Source.Path, e.Message, hiding);
        }
    }

    /// <summary>What the operator is told, and what the server's 503 says in its own words, while withdrawn.</summary>
    public const string WithdrawnNotice =
        "the private index is withdrawn (private lookups answer 503) until `leakwatch keys rotate-oprf` rebuilds it";

    private PrivateListingChange Unreadable(PrivateManifest current, string breach, string path, string why, bool hiding)
    {
        var problem = $"the dump of '{breach}' ({path}) cannot be read ({why})";
        if (!hiding)
        {
            return new PrivateListingChange(PrivateListingOutcome.NotReindexed,
                Message: $"{problem}: private lookups do not list the breach for its members until `leakwatch keys rotate-oprf --source {breach}=PATH` rebuilds the index");
        }

        _private.Withdraw(current, problem);
        return new PrivateListingChange(PrivateListingOutcome.Withdrawn,
            Message: $"{problem}, so its members' private entries cannot be rewritten: {WithdrawnNotice} (pass --source {breach}=PATH, or --drop {breach})");
    }

    /// <summary>The breach ids a chain built now may list: published, in the catalogue, shown by public search, and
    /// not being hidden by the command that started the build.</summary>
    private HashSet<int> ListedBreaches(Manifest plain, List<int> hidden)
    {
        var listed = new HashSet<int>();
        foreach (var b in PublishedBreaches(plain))
        {
            if (IsListed(b) && !hidden.Contains(b.Id))
            {
                listed.Add(b.Id);
            }
        }

        return listed;
    }

    /// <summary>Every breach set of the exposure index cut down to the listed breaches, by set id: computed once per
    /// build, so the OPRF phase looks a chain's ids up without allocating.</summary>
    private static int[][] ChainSets(ExposureIndexReader index, HashSet<int> listed)
    {
        var sets = new int[index.SetCount][];
        for (var i = 0; i < sets.Length; i++)
        {
            var set = index.Sets[i];
            sets[i] = Array.TrueForAll(set, listed.Contains) ? set : Array.FindAll(set, listed.Contains);
        }

        return sets;
    }

    /// <summary>The exposure-index keys a relist spills: members of the breach being relisted (sets decided once).</summary>
    private static Func<UInt128, bool> MembersOf(ExposureIndexReader? index, int breachId)
    {
        if (index is null)
        {
            return static _ => false;
        }

        var member = new bool[index.SetCount];
        for (var i = 0; i < member.Length; i++)
        {
            member[i] = Array.IndexOf(index.Sets[i], breachId) >= 0;
        }

        return k => index.FindSetId(k) is var s and >= 0 && member[s];
    }

    /// <summary>A withdrawn private index lists what may no longer be shown and is gone: nothing merges into it.</summary>
    private void RequireServing()
    {
        if (_private.ReadManifest() is { IsWithdrawn: true } m)
        {
            throw new PrivateBuildException($"{_private.ManifestPath}: {WithdrawnNotice} ({m.Withdrawn})");
        }
    }
}

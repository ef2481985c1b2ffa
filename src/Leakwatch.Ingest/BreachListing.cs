using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest;

/// <summary>
/// `breach set`: records an analyst's change to a published breach. When the change hides the breach from public
/// search (<c>--sensitive</c>, <c>--retired</c>) or shows it again, the private index follows in the same command:
/// its members are re-indexed so no chain lists a hidden breach (docs/private-index-format.md, "Listing changes").
/// Hiding rewrites the private index first and the catalogue after; showing the other way round, so a kill in
/// between never shows more than the catalogue does.
/// </summary>
public static class BreachListing
{
    /// <summary>What changed: the breach before and after (both null when no published breach has the name).</summary>
    public sealed record Result(Breach? Before, Breach? After, PrivateListingChange Private);

    /// <summary>Applies <paramref name="change"/> to the published breach named <paramref name="name"/>.
    /// <paramref name="keys"/> is loaded only when the private index has to follow.</summary>
    /// <param name="state">Where the breach rows are; null is <c>catalog.db</c> in the data dir.</param>
    public static Result Update(string dataDir, Func<KeyFile> keys, string name, Func<Breach, Breach> change,
        IProgress<PrivateBuildProgress>? progress = null, CancellationToken ct = default, StateLocation? state = null)
    {
        state ??= StateLocation.Embedded;
        var store = new ExposureIndexStore(dataDir);
        var (before, after) = Find(store, state, name, change);
        if (before is null || after is null)
        {
            return new Result(null, null, PrivateListingChange.None);
        }

        if (PrivateIndexBuilder.IsListed(before) == PrivateIndexBuilder.IsListed(after) || !new Privacy.Buckets.PrivateIndexStore(dataDir).Exists)
        {
            Write(store, state, after);
            return new Result(before, after, PrivateListingChange.None);
        }

        // The listing changes: hold the writer lock, and decide again under it.
        using var writeLock = store.LockForWrite();
        (before, after) = Find(store, state, name, change);
        if (before is null || after is null)
        {
            return new Result(null, null, PrivateListingChange.None);
        }

        var hiding = PrivateIndexBuilder.IsListed(before) && !PrivateIndexBuilder.IsListed(after);
        var builder = new PrivateIndexBuilder(dataDir, keys(), state: state);
        PrivateListingChange privateChange;
        if (hiding)
        {
            privateChange = builder.Relist(before.Id, hiding: true, progress, ct);
            Write(store, state, after);
        }
        else
        {
            if (builder.Pending is { } pending)
            {
                // Refused before the catalogue shows the breach, so the command can simply be run again.
                throw new PrivateBuildException($"a private build of {string.Join(", ", pending.Sources.Select(s => $"'{s.Breach}'"))} is unfinished; run `leakwatch private resume` first, then this command again");
            }

            Write(store, state, after);
            privateChange = builder.Relist(before.Id, hiding: false, progress, ct);
        }

        return new Result(before, after, privateChange);
    }

    private static (Breach? Before, Breach? After) Find(ExposureIndexStore store, StateLocation state, string name, Func<Breach, Breach> change)
    {
        var manifest = store.ReadManifest();
        if (manifest.Breaches.Length == 0)
        {
            return (null, null);
        }

        using var catalog = StateStore.OpenReadOnly(state, store.DataDir);
        if (catalog is null)
        {
            return (null, null);
        }

        var b = catalog.PublishedBreaches(manifest.Breaches).Find(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
        return b is null ? (null, null) : (b, change(b));
    }

    private static void Write(ExposureIndexStore store, StateLocation state, Breach changed)
    {
        var manifest = store.ReadManifest();
        using var catalog = StateStore.Open(state, store.DataDir);
        catalog.UpdateBreach(changed with { ModifiedDate = DateTimeOffset.UtcNow });
        catalog.WriteSnapshot(manifest.Generation, manifest.Breaches);
    }
}

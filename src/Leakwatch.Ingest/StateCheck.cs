using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;

namespace Leakwatch.Ingest;

/// <summary>
/// <c>fsck</c>'s look at the state store against the data dir's manifest, for either engine: the store's own
/// integrity and migrations, a row for every published breach id with its report, the id counter past every id,
/// and (embedded) the snapshot the server reads. Rows an interrupted ingest left unpublished are not damage (they are
/// never shown, and the next ingest or removal deletes them): <see cref="Unpublished"/> lists them for a note.
/// </summary>
public static class StateCheck
{
    public static List<string> Fsck(string dataDir, StateLocation state, Manifest manifest)
    {
        var problems = new List<string>();
        // Read-only, as everything fsck opens: it must work on a full disk and never migrate or journal.
        using var catalog = StateStore.OpenReadOnly(state, dataDir);
        if (catalog is null)
        {
            if (manifest.Breaches.Length > 0)
            {
                problems.Add($"{dataDir}: {SqliteStateStore.FileName} is missing");
            }

            return problems;
        }

        var name = state.IsEmbedded ? SqliteStateStore.FileName : state.Display;
        problems.AddRange(catalog.Verify());
        var all = catalog.AllBreaches();
        var published = catalog.PublishedBreaches(manifest.Breaches);
        if (published.Count != manifest.Breaches.Length)
        {
            problems.Add($"{name}: {manifest.Breaches.Length - published.Count} published breach(es) missing from the catalogue");
        }

        var reports = catalog.AllReports();
        foreach (var b in published)
        {
            if (!reports.ContainsKey(b.Id))
            {
                problems.Add($"{name}: published breach {b.Id} ({b.Name}) has no verification report");
            }
        }

        ProblemsOfCounter(catalog, all, name, problems);
        if (state.IsEmbedded && !PublishedBreachSnapshot.AgreesWith(dataDir, manifest.Generation, published))
        {
            problems.Add($"{PublishedBreachSnapshot.FileName}: differs from catalog.db; any catalogue write (e.g. `leakwatch breach set`) rewrites it, or delete it");
        }

        return problems;
    }

    /// <summary>Ids of rows the manifest does not list (left by an ingest that never published).</summary>
    public static List<int> Unpublished(string dataDir, StateLocation state, Manifest manifest)
    {
        using var catalog = StateStore.OpenReadOnly(state, dataDir);
        var listed = new HashSet<int>(manifest.Breaches);
        return catalog is null ? [] : catalog.AllBreaches().FindAll(b => !listed.Contains(b.Id)).ConvertAll(b => b.Id);
    }

    private static void ProblemsOfCounter(StateStore catalog, List<Breach> all, string name, List<string> problems)
    {
        if (catalog.Schema().Pending.Contains("0003_breach_ids.sql"))
        {
            return; // a catalogue from before the counter: the next write creates it from the rows
        }

        var last = catalog.LastBreachId();
        var highest = all.Count == 0 ? 0 : all[^1].Id;
        if (last < highest)
        {
            problems.Add($"{name}: breach id counter {last} is below the highest id {highest}; an id could be handed out twice");
        }
    }
}

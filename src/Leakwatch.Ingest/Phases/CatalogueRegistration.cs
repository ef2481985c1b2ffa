using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Index;

namespace Leakwatch.Ingest.Phases;

/// <summary>The ingest's side of the catalogue: it is opened for writing under the index lock, cleared of what
/// an interrupted ingest left behind, and checked for the new breach's name.</summary>
internal static class CatalogueRegistration
{
    public static StateStore Open(ExposureIndexStore store, StateLocation state, Manifest manifest, string breachName)
    {
        var catalog = StateStore.Open(state, store.DataDir);
        try
        {
            catalog.DeleteUnpublished(manifest.Breaches);
            // The outbox rows a killed ingest wrote ahead of a publish that never came.
            catalog.SweepUnmatched(manifest.Breaches);
            store.CollectGarbage(manifest);
            foreach (var b in catalog.AllBreaches())
            {
                if (string.Equals(b.Name, breachName, StringComparison.OrdinalIgnoreCase))
                {
                    throw new IngestException($"breach '{b.Name}' already exists; remove it first with `leakwatch remove {b.Name}`");
                }
            }

            return catalog;
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
    }
}

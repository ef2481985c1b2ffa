using System.Text.Json;
using Leakwatch.Analysis;
using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Phases;

/// <summary>The publish phase: the catalogue gets the breach's counts and report, then the new index generation
/// becomes the published one. Nothing before this phase is visible to readers.</summary>
internal static class Publication
{
    public static void Publish(ExposureIndexStore store, KeyFile keys, StateStore catalog, Manifest previous, Breach breach,
        string indexPath, IngestOptions options, IngestStats stats, Stealer.StealerStoreFiles? stealer,
        string? domainStore, CancellationToken ct)
    {
        catalog.UpdateBreach(breach with { PwnCount = stats.Accounts, StatsJson = JsonSerializer.Serialize(stats, IngestJson.Default.IngestStats) });
        catalog.SetReport(breach.Id, ReportJson.Serialize(stats.Report!));
        ct.ThrowIfCancellationRequested();
        var next = new Manifest
        {
            Generation = previous.Generation + 1,
            Index = Path.GetRelativePath(store.DataDir, indexPath),
            IndexBytes = stats.IndexBytes,
            Entries = stats.IndexEntries,
            KeyId = keys.KeyId,
            Breaches = [.. previous.Breaches, breach.Id],
            Published = DateTimeOffset.UtcNow,
            // A stealer-log ingest names its new website store here, so it is published with the breach.
            StealerSites = stealer?.Sites ?? previous.StealerSites,
            StealerEmailDomains = stealer?.EmailDomains ?? previous.StealerEmailDomains,
            StealerWebsites = stealer?.Websites ?? previous.StealerWebsites,
            // The domain store likewise (an ingest with --no-domain-store carries the published one forward).
            DomainStore = domainStore ?? previous.DomainStore,
        };
        ExposureIndexStore.FsyncDirectory(store.IndexDir);
        TestKillPoint.Reached("publishing");
        ct.ThrowIfCancellationRequested();
        // The private spill is sealed and recorded before the breach is published, so a published breach
        // with --private always has its spill to resume from.
        options.PrivateSpill?.Complete(breach.Id, stats.Distinct.Email + stats.Distinct.Phone);
        next = store.Publish(next);
        TestKillPoint.Reached("published");
        catalog.WriteSnapshot(next.Generation, next.Breaches);
        store.CollectGarbage(next);
    }
}

using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Index;
using Leakwatch.Ingest.Phases;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Ingest;

/// <summary>Operations on a data dir other than ingest: removing a breach and checking integrity.</summary>
public static class DataDirMaintenance
{
    /// <summary>Rebuilds the index without the breach and publishes it; returns false if no such breach.</summary>
    public static bool Remove(string dataDir, KeyFile keys, string name) => Remove(dataDir, keys, name, out _);

    /// <summary>Rebuilds the index without the breach and publishes it; returns false if no such breach. The private
    /// index goes first: its chains stop listing the breach (or it is withdrawn, <paramref name="privateChange"/>
    /// says which), then the plain index and the catalogue drop it, so a kill in between never shows more.</summary>
    public static bool Remove(string dataDir, KeyFile keys, string name, out PrivateListingChange privateChange,
        IProgress<PrivateBuildProgress>? progress = null, CancellationToken ct = default, StateLocation? state = null, GenerationRetention? retention = null)
    {
        state ??= StateLocation.Embedded;
        privateChange = PrivateListingChange.None;
        var store = new ExposureIndexStore(dataDir, retention);
        using var writeLock = store.LockForWrite();
        var manifest = store.ReadManifest();
        if (manifest.KeyId is not null && manifest.KeyId != keys.KeyId)
        {
            throw new KeyFileException($"{keys.Path}: key file does not match the index (key id {keys.KeyId}, index built with {manifest.KeyId})");
        }

        // As an ingest does: a killed run's leftovers go before anything is written, and this run's own on failure.
        OrphanedFiles.Sweep(store, manifest);
        try
        {
            return RemoveLocked(store, state, manifest, keys, name, out privateChange, progress, ct);
        }
        catch
        {
            LeftoverSweep.AfterFailedWrite(store);
            throw;
        }
    }

    private static bool RemoveLocked(ExposureIndexStore store, StateLocation state, Manifest manifest, KeyFile keys, string name,
        out PrivateListingChange privateChange, IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        privateChange = PrivateListingChange.None;
        using var catalog = StateStore.Open(state, store.DataDir);
        // As an ingest does: outbox rows written ahead by a killed ingest whose breach was never published.
        catalog.SweepUnmatched(manifest.Breaches);
        var breach = catalog.PublishedBreaches(manifest.Breaches).Find(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
        if (breach is null)
        {
            return false;
        }

        if (PrivateIndexBuilder.IsListed(breach))
        {
            // A hidden breach is in no chain already: only a listed one has private entries to rewrite.
            privateChange = new PrivateIndexBuilder(store.DataDir, keys, new PrivateBuildOptions { Retention = store.Retention }, state).Relist(breach.Id, hiding: true, progress, ct);
        }

        var remaining = Array.FindAll(manifest.Breaches, id => id != breach.Id);
        Manifest next;
        using (var existing = store.OpenPublished(manifest))
        {
            if (remaining.Length == 0 || existing is null)
            {
                next = manifest with { Generation = manifest.Generation + 1, Index = null, IndexBytes = 0, Entries = 0, Breaches = [], Published = DateTimeOffset.UtcNow };
            }
            else
            {
                var path = store.NewIndexPath(manifest.Generation + 1);
                var entries = ExposureIndexMerger.MergeRemove(existing, breach.Id, path, _ => TestKillPoint.Reached("removing"));
                ExposureIndexStore.FsyncDirectory(store.IndexDir);
                next = manifest with
                {
                    Generation = manifest.Generation + 1,
                    Index = Path.GetRelativePath(store.DataDir, path),
                    IndexBytes = new FileInfo(path).Length,
                    Entries = entries,
                    Breaches = remaining,
                    Published = DateTimeOffset.UtcNow,
                };
            }
        }

        TestKillPoint.Reached("removed");
        // Before the plain publish: a kill between the two leaves the private tier without the breach (failing closed)
        // and never a private manifest naming a breach the index manifest no longer lists (which fsck rejects).
        ForgetPrivateSource(store, breach.Id);
        next = store.Publish(next);
        TestKillPoint.Reached("remove-published");
        // What is still queued about the breach is not sent: it is no longer public. Delivered rows stay for the record.
        catalog.CancelPending(breach.Id, DateTimeOffset.UtcNow);
        catalog.DeleteBreach(breach.Id);
        catalog.WriteSnapshot(next.Generation, next.Breaches);
        store.CollectGarbage(next);
        return true;
    }

    /// <summary>A removed breach is no longer rebuilt by a key rotation (its members' chains no longer list it).</summary>
    private static void ForgetPrivateSource(ExposureIndexStore store, int breachId)
    {
        var privateStore = new PrivateIndexStore(store.DataDir, store.Retention);
        var manifest = privateStore.ReadManifest();
        if (manifest is not null && manifest.Breaches.Exists(b => b.Id == breachId))
        {
            privateStore.Publish(manifest with { Breaches = manifest.Breaches.FindAll(b => b.Id != breachId) });
        }
    }

    /// <summary>Verifies manifest, index checksums and structure, catalogue integrity and the key id.</summary>
    /// <param name="state">Where the breach rows are; null is <c>catalog.db</c> in the data dir.</param>
    public static List<string> Fsck(string dataDir, KeyFile? keys, StateLocation? state = null)
    {
        var problems = new List<string>();
        var store = new ExposureIndexStore(dataDir);
        if (!Directory.Exists(store.DataDir))
        {
            problems.Add($"{store.DataDir}: data dir does not exist");
            return problems;
        }

        Manifest manifest;
        try
        {
            manifest = store.ReadManifest();
        }
        catch (IndexCorruptException e)
        {
            problems.Add(e.Message);
            return problems;
        }

        if (keys is not null && manifest.KeyId is not null && manifest.KeyId != keys.KeyId)
        {
            problems.Add($"{keys.Path}: key id {keys.KeyId} does not match the index's {manifest.KeyId}");
        }

        try
        {
            using var index = store.OpenPublished(manifest);
            if (index is not null)
            {
                problems.AddRange(index.Verify());
                if (index.EntryCount != manifest.Entries)
                {
                    problems.Add($"{index.Path}: holds {index.EntryCount} entries, manifest says {manifest.Entries}");
                }

                var known = new HashSet<int>(manifest.Breaches);
                foreach (var set in index.Sets)
                {
                    foreach (var id in set)
                    {
                        if (!known.Contains(id))
                        {
                            problems.Add($"{index.Path}: refers to breach id {id} that the manifest does not list");
                            goto setsChecked;
                        }
                    }
                }

            setsChecked:;
            }
        }
        catch (IndexCorruptException e)
        {
            problems.Add(e.Message);
        }

        problems.AddRange(FsckPrivate(store.DataDir, keys, manifest));

        problems.AddRange(StateCheck.Fsck(store.DataDir, state ?? StateLocation.Embedded, manifest));
        return problems;
    }

    /// <summary>The private index: header, section table and entries checksums, the manifest's checksum and fields
    /// against the file, its breaches published; with the key file, that its key wrote the file (key check) and, once
    /// decrypted, every bucket's keycheck order.</summary>
    private static List<string> FsckPrivate(string dataDir, KeyFile? keys, Manifest plain)
    {
        var problems = new List<string>();
        var privateStore = new PrivateIndexStore(dataDir);
        try
        {
            var manifest = privateStore.ReadManifest();
            if (manifest is not null)
            {
                var key = keys?.FindOprfKey(manifest.KeyId);
                if (keys is not null && key is null)
                {
                    problems.Add($"{privateStore.ManifestPath}: OPRF key {manifest.KeyId} is not in the key file");
                }

                // Withdrawn on purpose (fail closed, see `remove` and `breach set`): no file to check, nothing served.
                using var index = manifest.IsWithdrawn ? null : privateStore.OpenPublished(manifest, key);
                problems.AddRange(index?.Verify() ?? []);

                var published = new HashSet<int>(plain.Breaches);
                foreach (var b in manifest.Breaches)
                {
                    if (!published.Contains(b.Id))
                    {
                        problems.Add($"{privateStore.ManifestPath}: lists breach {b.Id} ({b.Name}) that the index manifest does not");
                    }
                }
            }
        }
        catch (PrivateIndexException e)
        {
            problems.Add(e.Message);
        }

        return problems;
    }
}

using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Passwords;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Ingest;

/// <summary>Files a killed or failed run left in the data dir, which the next ingest or remove sweeps before it
/// writes anything. `fsck` lists them (read-only) so an operator sees where a full disk's space went; what it lists
/// is exactly what <see cref="Sweep"/> deletes.</summary>
public static class OrphanedFiles
{
    /// <summary>The exposure index's leftovers (unpublished generations, spilled runs, manifest temp files), the
    /// private index's (unpublished generations, a manifest temp file, a build directory without its state) and the
    /// password store's (unpublished store files, spilled runs). A pending private build with its state is not an
    /// orphan: `private resume` finishes it. Nor is a replaced generation still within the retention period (see
    /// <see cref="RetainedGenerations"/>).</summary>
    public static List<string> Find(string dataDir, GenerationRetention? retention = null)
    {
        var store = new ExposureIndexStore(dataDir, retention);
        if (!Directory.Exists(store.DataDir))
        {
            return [];
        }

        var files = store.Leftovers(store.ReadManifest());
        files.AddRange(PrivateLeftovers(new PrivateIndexStore(dataDir, store.Retention), out var buildDir));
        if (buildDir is not null)
        {
            files.AddRange(Directory.EnumerateFiles(buildDir, "*", SearchOption.AllDirectories));
        }

        files.AddRange(PasswordRangeStore.Orphans(dataDir, store.Retention));
        return files;
    }

    /// <summary>
    /// The sweep every ingest and remove runs under the data dir's writer lock before it writes anything, the
    /// catalogue included, so that on a disk a killed or failed run filled, the space comes back first. The lock
    /// keeps every other index and private writer out; the password store has its own, so its leftovers go only when
    /// no `ingest-passwords` holds it (a running one's runs are not leftovers).
    /// </summary>
    public static void Sweep(ExposureIndexStore store, Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.CollectGarbage(manifest);
        try
        {
            var files = PrivateLeftovers(new PrivateIndexStore(store.DataDir, store.Retention), out var buildDir);
            foreach (var file in files)
            {
                FileSync.TryDelete(file);
            }

            if (buildDir is not null)
            {
                Directory.Delete(buildDir, recursive: true);
            }
        }
        catch (Exception e) when (e is LeakwatchException or IOException or UnauthorizedAccessException)
        {
            // An unreadable private manifest is fsck's to report and the private commands' to refuse; not this run's.
        }

        PasswordIngest.TrySweepLeftovers(store.DataDir, store.Retention);
    }

    /// <summary>The private index's leftover files, and its build directory when that has no state (null otherwise).</summary>
    private static List<string> PrivateLeftovers(PrivateIndexStore privateStore, out string? orphanedBuildDir)
    {
        var files = new List<string>();
        orphanedBuildDir = null;
        if (!Directory.Exists(privateStore.Dir))
        {
            return files;
        }

        files.AddRange(privateStore.Unnamed(privateStore.ReadManifest()));

        if (File.Exists(AtomicFileWriter.TempPathFor(privateStore.ManifestPath)))
        {
            files.Add(AtomicFileWriter.TempPathFor(privateStore.ManifestPath));
        }

        if (Directory.Exists(privateStore.BuildDir) && !File.Exists(Path.Combine(privateStore.BuildDir, "state.json")))
        {
            orphanedBuildDir = privateStore.BuildDir;
        }

        return files;
    }
}

using Leakwatch.Index;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Ingest;

/// <summary>Files a killed or failed run left in the data dir, which the next ingest or remove sweeps before it
/// writes anything. `fsck` lists them (read-only) so an operator sees where a full disk's space went.</summary>
public static class OrphanedFiles
{
    /// <summary>The exposure index's leftovers (unpublished generations, spilled runs, manifest temp files) and the
    /// private index's (unpublished generations, a build directory without its state). A pending private build with
    /// its state is not an orphan: `private resume` finishes it.</summary>
    public static List<string> Find(string dataDir)
    {
        var store = new ExposureIndexStore(dataDir);
        if (!Directory.Exists(store.DataDir))
        {
            return [];
        }

        var files = store.Leftovers(store.ReadManifest());
        var privateStore = new PrivateIndexStore(dataDir);
        if (Directory.Exists(privateStore.Dir))
        {
            var current = privateStore.ReadManifest();
            foreach (var file in Directory.EnumerateFiles(privateStore.Dir, "gen-*"))
            {
                if (current is null || !string.Equals(Path.GetRelativePath(store.DataDir, file), current.Index, StringComparison.Ordinal))
                {
                    files.Add(file);
                }
            }
        }

        if (Directory.Exists(privateStore.BuildDir) && !File.Exists(Path.Combine(privateStore.BuildDir, "state.json")))
        {
            files.AddRange(Directory.EnumerateFiles(privateStore.BuildDir, "*", SearchOption.AllDirectories));
        }

        return files;
    }
}

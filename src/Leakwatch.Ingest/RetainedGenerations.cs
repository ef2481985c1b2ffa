using Leakwatch.Index;
using Leakwatch.Passwords;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Ingest;

/// <summary>Replaced generations a data dir still keeps for replicas that may be reading them (see
/// <see cref="GenerationRetention"/>): expected files, not orphans. `fsck` lists them so an operator sees what the
/// retention costs on disk and when each goes.</summary>
public static class RetainedGenerations
{
    /// <summary>The retained files of the exposure index, the private index and the password store, each with the
    /// time from which the next publish or sweep deletes it. A store whose manifest is unreadable adds none (fsck
    /// reports the manifest).</summary>
    public static List<(string Path, DateTimeOffset Expires)> Find(string dataDir, GenerationRetention? retention = null)
    {
        var files = new List<(string, DateTimeOffset)>();
        var store = new ExposureIndexStore(dataDir, retention);
        if (!Directory.Exists(store.DataDir))
        {
            return files;
        }

        try
        {
            files.AddRange(store.Retained(store.ReadManifest()));
        }
        catch (IndexCorruptException)
        {
        }

        try
        {
            var privateStore = new PrivateIndexStore(dataDir, retention);
            files.AddRange(privateStore.Retained(privateStore.ReadManifest(outdatedAsAbsent: true)));
        }
        catch (PrivateIndexException)
        {
        }

        files.AddRange(PasswordRangeStore.Retained(dataDir, retention));
        return files;
    }
}

using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Phases;

/// <summary>What must hold before any reading starts, for an ingest and a verify alike.</summary>
internal static class IndexPreconditions
{
    /// <summary>The published manifest, provided the index was built with this key file.</summary>
    public static Manifest ReadManifest(ExposureIndexStore store, KeyFile keys)
    {
        var manifest = store.ReadManifest();
        if (manifest.KeyId is not null && manifest.KeyId != keys.KeyId)
        {
            throw new KeyFileException($"{keys.Path}: key file does not match the index (key id {keys.KeyId}, index built with {manifest.KeyId})");
        }

        return manifest;
    }
}

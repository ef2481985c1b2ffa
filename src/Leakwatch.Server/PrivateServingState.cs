using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage.Publishing;

namespace Leakwatch.Server;

/// <summary>One published private index as served: the mapped file and the OPRF key its manifest names.
/// Reference counted like <see cref="ServingState"/>, so a reload never unmaps a bucket being sent.</summary>
internal sealed class PrivateServingState : PublishedGeneration
{
    public PrivateServingState(PrivateIndexReader index, OprfServerKey key, PrivateManifest manifest)
    {
        Index = index;
        Key = key;
        Manifest = manifest;
        SaltBase64 = Convert.ToBase64String(index.Salt);
    }

    public PrivateIndexReader Index { get; }

    public OprfServerKey Key { get; }

    public PrivateManifest Manifest { get; }

    public string SaltBase64 { get; }

    /// <summary>The rendered config for one plain generation (the breach list comes from the catalogue).</summary>
    public (ServingState Plain, byte[] Json)? Config;

    protected override void Free() => Index.Dispose();
}

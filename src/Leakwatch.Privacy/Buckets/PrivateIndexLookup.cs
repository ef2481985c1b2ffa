using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// The whole private-lookup protocol run in one process against a data dir: the reference client's steps with the
/// server's BlindEvaluate in between. For `check --private` and tests: it proves what a remote client would see.
/// </summary>
public sealed class PrivateIndexLookup : IDisposable
{
    private readonly PrivateIndexReader _index;
    private readonly OprfServerKey _key;

    private PrivateIndexLookup(PrivateIndexReader index, OprfServerKey key, PrivateManifest manifest)
    {
        _index = index;
        _key = key;
        Manifest = manifest;
    }

    public PrivateManifest Manifest { get; }

    /// <summary>Null when the data dir has no private index.</summary>
    public static PrivateIndexLookup? Open(string dataDir, KeyFile keys)
    {
        var store = new PrivateIndexStore(dataDir);
        var manifest = store.ReadManifest();
        if (manifest is null)
        {
            return null;
        }

        var key = keys.FindOprfKey(manifest.KeyId)
            ?? throw new KeyFileException($"{keys.Path}: the private index needs OPRF key {manifest.KeyId}, which the key file does not hold");
        return new PrivateIndexLookup(store.OpenPublished(manifest, key), key, manifest);
    }

    /// <summary>Breach ids the identifier's entries list (catalogue ids; empty when absent).</summary>
    public List<int> Find(byte[] input)
    {
        var query = PrivateLookupClient.Prepare(input, _index.Layout);
        if (query is null)
        {
            return []; // no section for its calling code: nothing of that plan is indexed
        }

        Span<byte> evaluated = stackalloc byte[OprfSuite.ElementSize];
        _key.BlindEvaluate(query.BlindedElement, evaluated);
        var bucket = new byte[_index.BucketBytes];
        _index.ReadBucket(query.Bucket, bucket);
        return PrivateLookupClient.Finish(query, evaluated, _index.Salt, bucket);
    }

    public void Dispose() => _index.Dispose();
}

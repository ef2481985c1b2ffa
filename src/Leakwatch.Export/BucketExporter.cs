using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Export;

/// <summary>
/// Writes the published private index's buckets, decrypted as an evaluation sends them, to
/// <c>private/&lt;generation&gt;/&lt;bucket&gt;</c>. A generation is immutable, so a generation already exported is
/// left alone; a new one is written under a staging name and renamed whole. The previous generation stays (a
/// client may hold an evaluation made just before the publish); older ones are removed, and all of them when the
/// data dir has no private index or it is withdrawn (fail closed).
/// </summary>
internal static class BucketExporter
{
    private const string StagingPrefix = ".staging-";

    public sealed record Outcome(long? Generation, long Buckets, long Written, long Unchanged, List<string> WrittenPaths, List<string> RemovedPaths);

    public static Outcome Run(string dataDir, string keyFilePath, string outDir, ExportManifest? previous, int threads, CancellationToken cancel)
    {
        var root = Path.Combine(outDir, PrivateStaticBuckets.DirectoryName);
        var store = new PrivateIndexStore(dataDir);
        var manifest = store.ReadManifest();
        var writtenPaths = new List<string>();
        var removed = new List<string>();
        if (manifest is null || manifest.IsWithdrawn)
        {
            RemoveGenerations(root, keep: [], removed);
            return new Outcome(null, 0, 0, 0, writtenPaths, removed);
        }

        var generation = manifest.Generation;
        var final = Path.Combine(root, generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        long written = 0;
        long unchanged = 0;
        long buckets;
        if (Directory.Exists(final))
        {
            buckets = Directory.EnumerateFiles(final).LongCount();
            unchanged = buckets;
        }
        else
        {
            var keys = KeyFile.Load(keyFilePath);
            var key = keys.FindOprfKey(manifest.KeyId)
                ?? throw new KeyFileException($"{keyFilePath}: the private index needs OPRF key {manifest.KeyId}, which the key file does not hold");
            using var index = store.OpenPublished(manifest, key);
            buckets = index.BucketCount;
            var staging = Path.Combine(root, StagingPrefix + generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
            ExportFiles.DeleteTree(staging);
            Directory.CreateDirectory(staging);
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel };
            Parallel.For(0L, buckets, options, () => new byte[index.BucketBytes], (bucket, _, entries) =>
            {
                index.ReadBucket(bucket, entries);
                ExportFiles.Write(Path.Combine(staging, bucket.ToString(System.Globalization.CultureInfo.InvariantCulture)), entries, viaTemp: false);
                return entries;
            }, _ => { });
            Directory.Move(staging, final);
            written = buckets;
            for (long b = 0; b < buckets; b++)
            {
                writtenPaths.Add("/" + PrivateStaticBuckets.RelativePath(generation, b));
            }
        }

        var keep = new List<long> { generation };
        if (previous?.PrivateGeneration is { } before && before != generation)
        {
            keep.Add(before);
        }

        RemoveGenerations(root, keep, removed);
        return new Outcome(generation, buckets, written, unchanged, writtenPaths, removed);
    }

    private static void RemoveGenerations(string root, List<long> keep, List<string> removed)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(dir);
            if (long.TryParse(name, System.Globalization.CultureInfo.InvariantCulture, out var g) && keep.Contains(g))
            {
                continue;
            }

            if (!name.StartsWith(StagingPrefix, StringComparison.Ordinal))
            {
                foreach (var file in Directory.EnumerateFiles(dir))
                {
                    removed.Add($"/{PrivateStaticBuckets.DirectoryName}/{name}/{Path.GetFileName(file)}");
                }
            }

            ExportFiles.DeleteTree(dir);
        }
    }
}

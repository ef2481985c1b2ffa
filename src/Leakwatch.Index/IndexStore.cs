using System.Text.Json;
using System.Text.Json.Serialization;

namespace Leakwatch.Index;

/// <summary>
/// The data directory's published state: <c>manifest.json</c> names the current index generation and the
/// breach ids it holds. Publishing writes and fsyncs the new index, then atomically renames a new manifest
/// over the old one, so a kill at any point leaves the previous generation served whole.
/// </summary>
public sealed class IndexStore
{
    public const string ManifestName = "manifest.json";

    public IndexStore(string dataDir)
    {
        DataDir = Path.GetFullPath(dataDir);
    }

    public string DataDir { get; }

    public string IndexDir => Path.Combine(DataDir, "index");

    public string TempDir => Path.Combine(DataDir, "tmp");

    public string ManifestPath => Path.Combine(DataDir, ManifestName);

    public bool Exists => File.Exists(ManifestPath);

    public Manifest ReadManifest()
    {
        if (!File.Exists(ManifestPath))
        {
            return Manifest.Empty;
        }

        try
        {
            var m = JsonSerializer.Deserialize(File.ReadAllText(ManifestPath), ManifestJson.Default.Manifest);
            if (m is null || m.Format != Manifest.CurrentFormat)
            {
                throw new IndexCorruptException($"{ManifestPath}: unsupported manifest format");
            }

            return m;
        }
        catch (JsonException e)
        {
            throw new IndexCorruptException($"{ManifestPath}: manifest is not valid JSON ({e.Message})");
        }
    }

    /// <summary>Opens the published index, or null when nothing has been ingested.</summary>
    public ExposureIndexReader? OpenPublished(Manifest manifest)
    {
        if (manifest.Index is null)
        {
            return null;
        }

        var path = Path.Combine(DataDir, manifest.Index);
        if (!File.Exists(path))
        {
            throw new IndexCorruptException($"{path}: index named by the manifest is missing");
        }

        return ExposureIndexReader.Open(path);
    }

    /// <summary>A fresh path for the next generation's index file.</summary>
    public string NewIndexPath(long generation)
    {
        Directory.CreateDirectory(IndexDir);
        return Path.Combine(IndexDir, $"gen-{generation:D8}-{Guid.NewGuid():N}.lwx");
    }

    /// <summary>Takes the data dir's writer lock; only one ingest/remove at a time.</summary>
    public IDisposable LockForWrite()
    {
        Directory.CreateDirectory(DataDir);
        var path = Path.Combine(DataDir, ".lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new IndexBusyException($"{DataDir}: another ingest or remove is running (lock held on .lock)");
        }
    }

    /// <summary>Atomically makes <paramref name="next"/> the published state.</summary>
    public void Publish(Manifest next)
    {
        Directory.CreateDirectory(DataDir);
        var tmp = ManifestPath + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(fs, next, ManifestJson.Default.Manifest);
            fs.Flush(flushToDisk: true);
        }

        File.Move(tmp, ManifestPath, overwrite: true);
        FsyncDirectory(DataDir);
    }

    /// <summary>Deletes index files and temp runs the manifest no longer names (left by old generations or kills).</summary>
    public void CollectGarbage(Manifest current)
    {
        if (Directory.Exists(IndexDir))
        {
            foreach (var file in Directory.EnumerateFiles(IndexDir))
            {
                var rel = Path.GetRelativePath(DataDir, file);
                if (!string.Equals(rel, current.Index, StringComparison.Ordinal))
                {
                    TryDelete(file);
                }
            }
        }

        if (Directory.Exists(TempDir))
        {
            foreach (var file in Directory.EnumerateFiles(TempDir))
            {
                TryDelete(file);
            }
        }
    }

    public static void FsyncDirectory(string dir) => FileSync.Directory(dir);

    private static void TryDelete(string file) => FileSync.TryDelete(file);
}

public sealed class IndexBusyException(string message) : Exception(message);

/// <summary>The published state. Breaches in the catalogue but not listed here are not visible.</summary>
public sealed record Manifest
{
    public const int CurrentFormat = 1;

    public static readonly Manifest Empty = new();

    public int Format { get; init; } = CurrentFormat;

    public long Generation { get; init; }

    /// <summary>Index file relative to the data dir, or null before the first ingest.</summary>
    public string? Index { get; init; }

    public long IndexBytes { get; init; }

    public long Entries { get; init; }

    /// <summary>Fingerprint of the key file the index was built with.</summary>
    public string? KeyId { get; init; }

    public int[] Breaches { get; init; } = [];

    public DateTimeOffset Published { get; init; }
}

[JsonSerializable(typeof(Manifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class ManifestJson : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Storage;
using Leakwatch.Core.Errors;
using static Leakwatch.Index.JsonFileReading;

namespace Leakwatch.Index;

/// <summary>
/// The data directory's published state: <c>manifest.json</c> names the current index generation and the
/// breach ids it holds. Publishing writes and fsyncs the new index, then atomically renames a new manifest
/// over the old one, so a kill at any point leaves the previous generation served whole.
/// </summary>
public sealed class ExposureIndexStore
{
    public const string ManifestName = "manifest.json";

    public ExposureIndexStore(string dataDir)
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
            var m = Manifest.Parse(File.ReadAllBytes(ManifestPath));
            if (m.Format != Manifest.CurrentFormat)
            {
                throw new IndexCorruptException($"{ManifestPath}: unsupported manifest format");
            }

            return m;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
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
        AtomicFile.Write(ManifestPath, fs => JsonSerializer.Serialize(fs, next, ManifestJson.Default.Manifest));
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

/// <summary>Another process holds the data dir's lock.</summary>
public sealed class IndexBusyException(string message) : LeakwatchException(ErrorKind.DataDir, message);

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

    /// <summary>
    /// Reads manifest JSON as <see cref="ManifestJson"/> writes it: camelCase names, unknown properties skipped.
    /// By hand, for start-up time (see <see cref="JsonFileReading"/>).
    /// </summary>
    /// <exception cref="JsonException">Not a JSON object of this shape.</exception>
    public static Manifest Parse(ReadOnlySpan<byte> json)
    {
        var r = Reader(json);
        Next(ref r);
        Require(ref r, JsonTokenType.StartObject);
        var m = new Manifest();
        int format = m.Format;
        long generation = 0, indexBytes = 0, entries = 0;
        string? index = null, keyId = null;
        int[] breaches = [];
        DateTimeOffset published = default;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var name = r;
            Next(ref r);
            if (name.ValueTextEquals("format"u8)) { format = r.GetInt32(); }
            else if (name.ValueTextEquals("generation"u8)) { generation = r.GetInt64(); }
            else if (name.ValueTextEquals("index"u8)) { index = r.GetString(); }
            else if (name.ValueTextEquals("indexBytes"u8)) { indexBytes = r.GetInt64(); }
            else if (name.ValueTextEquals("entries"u8)) { entries = r.GetInt64(); }
            else if (name.ValueTextEquals("keyId"u8)) { keyId = r.GetString(); }
            else if (name.ValueTextEquals("published"u8)) { published = r.GetDateTimeOffset(); }
            else if (name.ValueTextEquals("breaches"u8))
            {
                Require(ref r, JsonTokenType.StartArray);
                var ids = new List<int>();
                while (Next(ref r) == JsonTokenType.Number)
                {
                    ids.Add(r.GetInt32());
                }

                Require(ref r, JsonTokenType.EndArray);
                breaches = [.. ids];
            }
            else { r.Skip(); }
        }

        Require(ref r, JsonTokenType.EndObject);
        RequireEnd(ref r);
        return new Manifest
        {
            Format = format, Generation = generation, Index = index, IndexBytes = indexBytes, Entries = entries,
            KeyId = keyId, Breaches = breaches, Published = published,
        };
    }
}

[JsonSerializable(typeof(Manifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class ManifestJson : JsonSerializerContext;

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

    /// <summary>
    /// Reads manifest JSON as <see cref="ManifestJson"/> writes it: camelCase names, unknown properties skipped.
    /// Read by hand rather than by the serializer because every one-shot <c>check</c> reads it, and the
    /// serializer's generic metadata over <c>long</c> and <c>DateTimeOffset</c> is JIT-compiled at each start
    /// (it cannot be precompiled into our ReadyToRun image).
    /// </summary>
    /// <exception cref="JsonException">Not a JSON object of this shape.</exception>
    public static Manifest Parse(ReadOnlySpan<byte> json)
    {
        // A UTF-8 byte order mark (an editor's) is not JSON; File.ReadAllText used to drop it, so skip it here.
        json = json.StartsWith("\uFEFF"u8) ? json[3..] : json;
        var r = new Utf8JsonReader(json);
        Read(ref r, JsonTokenType.StartObject);
        var m = new Manifest();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var name = r;
            Next(ref r);
            if (name.ValueTextEquals("format"u8)) { m = m with { Format = r.GetInt32() }; }
            else if (name.ValueTextEquals("generation"u8)) { m = m with { Generation = r.GetInt64() }; }
            else if (name.ValueTextEquals("index"u8)) { m = m with { Index = r.GetString() }; }
            else if (name.ValueTextEquals("indexBytes"u8)) { m = m with { IndexBytes = r.GetInt64() }; }
            else if (name.ValueTextEquals("entries"u8)) { m = m with { Entries = r.GetInt64() }; }
            else if (name.ValueTextEquals("keyId"u8)) { m = m with { KeyId = r.GetString() }; }
            else if (name.ValueTextEquals("published"u8)) { m = m with { Published = r.GetDateTimeOffset() }; }
            else if (name.ValueTextEquals("breaches"u8))
            {
                if (r.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonException($"\"breaches\" is not an array (byte {r.TokenStartIndex})");
                }

                var ids = new List<int>();
                while (Next(ref r) == JsonTokenType.Number)
                {
                    ids.Add(r.GetInt32());
                }

                if (r.TokenType != JsonTokenType.EndArray)
                {
                    throw new JsonException($"\"breaches\" holds a non-number (byte {r.TokenStartIndex})");
                }

                m = m with { Breaches = [.. ids] };
            }
            else { r.Skip(); }
        }

        if (r.TokenType != JsonTokenType.EndObject || r.Read())
        {
            throw new JsonException($"unexpected content at byte {r.TokenStartIndex}");
        }

        return m;
    }

    private static JsonTokenType Next(ref Utf8JsonReader r) =>
        r.Read() ? r.TokenType : throw new JsonException("unexpected end of data");

    private static void Read(ref Utf8JsonReader r, JsonTokenType expected)
    {
        if (Next(ref r) != expected)
        {
            throw new JsonException($"expected {expected} at byte {r.TokenStartIndex}");
        }
    }
}

[JsonSerializable(typeof(Manifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class ManifestJson : JsonSerializerContext;

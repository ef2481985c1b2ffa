using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Core;
using Leakwatch.Index;

namespace Leakwatch.Catalog;

/// <summary>
/// The published breaches as one small JSON file beside the manifest (<c>breaches.json</c>), so a one-shot
/// <c>leakwatch check</c> answers without loading SQLite. It is a cache of the catalogue, never the truth:
/// every catalogue write deletes it first (durably), and it is rewritten only after the write commits, so a
/// kill in between leaves no snapshot and readers fall back to SQLite. It names the manifest generation it
/// was made for; a snapshot of another generation is ignored.
/// </summary>
public static class PublishedBreachSnapshot
{
    public const string FileName = "breaches.json";
    private const int CurrentFormat = 1;

    /// <summary>Removes the snapshot and makes the removal durable before the catalogue changes.</summary>
    public static void Invalidate(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            File.Delete(path);
            FileSync.Directory(dataDir);
        }
    }

    /// <summary>Writes the snapshot for <paramref name="generation"/> atomically (temp file, fsync, rename, fsync dir).</summary>
    public static void Write(string dataDir, long generation, List<Breach> published)
    {
        var path = Path.Combine(dataDir, FileName);
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(fs, new SnapshotDto { Format = CurrentFormat, Generation = generation, Breaches = published }, SnapshotJson.Default.SnapshotDto);
            fs.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
        FileSync.Directory(dataDir);
    }

    /// <summary>The published breaches for <paramref name="generation"/>, or null when there is no usable snapshot.</summary>
    public static List<Breach>? TryRead(string dataDir, long generation)
    {
        var path = Path.Combine(dataDir, FileName);
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var dto = JsonSerializer.Deserialize(fs, SnapshotJson.Default.SnapshotDto);
            return dto is { Format: CurrentFormat, Breaches: not null } && dto.Generation == generation ? dto.Breaches : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // Missing, being replaced, or damaged: the catalogue itself answers.
            return null;
        }
    }

    /// <summary>False only when a snapshot for <paramref name="generation"/> exists and says something else
    /// than <paramref name="published"/> (what the catalogue holds); for <c>leakwatch fsck</c>.</summary>
    public static bool AgreesWith(string dataDir, long generation, List<Breach> published)
    {
        if (TryRead(dataDir, generation) is not { } snapshot)
        {
            return true;
        }

        var expected = JsonSerializer.Serialize(published, SnapshotJson.Default.ListBreach);
        return expected == JsonSerializer.Serialize(snapshot, SnapshotJson.Default.ListBreach);
    }

    internal sealed class SnapshotDto
    {
        public int Format { get; set; }
        public long Generation { get; set; }
        public List<Breach>? Breaches { get; set; }
    }
}

[JsonSerializable(typeof(PublishedBreachSnapshot.SnapshotDto))]
[JsonSerializable(typeof(List<Breach>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SnapshotJson : JsonSerializerContext;

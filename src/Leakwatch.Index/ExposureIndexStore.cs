using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Core.Errors;
using Leakwatch.Storage;
using Leakwatch.Storage.Retention;
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

    /// <param name="retention">How long replaced generations stay; null is <see cref="GenerationRetention.Default"/>.</param>
    public ExposureIndexStore(string dataDir, GenerationRetention? retention = null)
    {
        DataDir = Path.GetFullPath(dataDir);
        Retention = retention ?? GenerationRetention.Default;
    }

    public string DataDir { get; }

    public GenerationRetention Retention { get; }

    public string IndexDir => Path.Combine(DataDir, "index");

    public string TempDir => Path.Combine(DataDir, "tmp");

    /// <summary>The stealer-log website store's generations (<see cref="Stealer.StealerSiteFile"/>).</summary>
    public string StealerDir => Path.Combine(DataDir, "stealer");

    /// <summary>The domain store's generations (docs/organisations.md, "Domain store").</summary>
    public string DomainDir => Path.Combine(DataDir, "domains");

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

    /// <summary>Atomically makes <paramref name="next"/> the published state and returns it as written: its
    /// <see cref="Manifest.Retired"/> list is the published manifest's, still within the retention period, plus the
    /// index file this publish replaces (its own list is ignored). Pass the result to <see cref="CollectGarbage"/>.</summary>
    public Manifest Publish(Manifest next)
    {
        ArgumentNullException.ThrowIfNull(next);
        Directory.CreateDirectory(DataDir);
        Manifest? previous;
        try
        {
            previous = ReadManifest();
        }
        catch (IndexCorruptException)
        {
            previous = null; // fsck's to report; nothing of it can be retained
        }

        next = next with
        {
            Retired = Retention.Retire(previous?.Retired,
            [previous?.Index, previous?.StealerSites, previous?.StealerEmailDomains, previous?.StealerWebsites, previous?.DomainStore],
            [next.Index, next.StealerSites, next.StealerEmailDomains, next.StealerWebsites, next.DomainStore])
        };
        var written = next;
        AtomicFile.Write(ManifestPath, fs => JsonSerializer.Serialize(fs, written, ManifestJson.Default.Manifest));
        return next;
    }

    /// <summary>Deletes index files and temp runs the manifest no longer names (left by old generations or kills),
    /// except replaced generations still within the retention period.</summary>
    public void CollectGarbage(Manifest current)
    {
        foreach (var file in Leftovers(current))
        {
            TryDelete(file);
        }
    }

    /// <summary>Replaced index files the manifest retires that are still on disk and within the retention period:
    /// expected, not garbage (`fsck` shows them with the time each may be deleted).</summary>
    public List<(string Path, DateTimeOffset Expires)> Retained(Manifest current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var files = new List<(string, DateTimeOffset)>();
        foreach (var r in current.Retired)
        {
            var path = Path.Combine(DataDir, r.File);
            if (Retention.Keeps(r.Retired) && r.File != current.Index && File.Exists(path))
            {
                files.Add((path, Retention.Expires(r.Retired)));
            }
        }

        return files;
    }

    /// <summary>What <see cref="CollectGarbage"/> deletes: index files other than the published one and the retained
    /// ones, spilled runs in tmp/, and an atomic write's temp file of the manifest. `fsck` lists them without touching them.</summary>
    public List<string> Leftovers(Manifest current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var files = new List<string>();
        var kept = Retention.Kept(current.Retired);
        if (Directory.Exists(IndexDir))
        {
            foreach (var file in Directory.EnumerateFiles(IndexDir))
            {
                var relative = Path.GetRelativePath(DataDir, file);
                if (!string.Equals(relative, current.Index, StringComparison.Ordinal) && !kept.Contains(relative))
                {
                    files.Add(file);
                }
            }
        }

        if (Directory.Exists(StealerDir))
        {
            foreach (var file in Directory.EnumerateFiles(StealerDir))
            {
                var relative = Path.GetRelativePath(DataDir, file);
                if (!string.Equals(relative, current.StealerSites, StringComparison.Ordinal)
                    && !string.Equals(relative, current.StealerEmailDomains, StringComparison.Ordinal)
                    && !string.Equals(relative, current.StealerWebsites, StringComparison.Ordinal) && !kept.Contains(relative))
                {
                    files.Add(file);
                }
            }
        }

        if (Directory.Exists(DomainDir))
        {
            foreach (var file in Directory.EnumerateFiles(DomainDir))
            {
                var relative = Path.GetRelativePath(DataDir, file);
                if (!string.Equals(relative, current.DomainStore, StringComparison.Ordinal) && !kept.Contains(relative))
                {
                    files.Add(file);
                }
            }
        }

        if (Directory.Exists(TempDir))
        {
            files.AddRange(Directory.EnumerateFiles(TempDir, "*", SearchOption.AllDirectories));
        }

        if (File.Exists(AtomicFileWriter.TempPathFor(ManifestPath)))
        {
            files.Add(AtomicFileWriter.TempPathFor(ManifestPath));
        }

        return files;
    }

    public static void FsyncDirectory(string dir) => FileSync.Directory(dir);

    private static void TryDelete(string file) => FileSync.TryDelete(file);
}

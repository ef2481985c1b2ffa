using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Index;
using Leakwatch.Storage;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// The private index of a data dir: immutable files <c>private/gen-*.lwp</c> and <c>private/manifest.json</c>,
/// which names the one being served. Publishing fsyncs the new file, then renames a new manifest over the old
/// one and fsyncs the directory, so a kill at any point leaves the previous generation served whole.
/// </summary>
public sealed class PrivateIndexStore
{
    public const string DirectoryName = "private";
    public const string ManifestName = "manifest.json";

    /// <param name="retention">How long replaced generations stay; null is <see cref="GenerationRetention.Default"/>.</param>
    public PrivateIndexStore(string dataDir, GenerationRetention? retention = null)
    {
        DataDir = Path.GetFullPath(dataDir);
        Retention = retention ?? GenerationRetention.Default;
    }

    public string DataDir { get; }

    public GenerationRetention Retention { get; }

    public string Dir => Path.Combine(DataDir, DirectoryName);

    public string ManifestPath => Path.Combine(Dir, ManifestName);

    /// <summary>Where a build keeps its state and temporary files until it publishes.</summary>
    public string BuildDir => Path.Combine(Dir, "build");

    public bool Exists => File.Exists(ManifestPath);

    /// <summary>The published manifest, or null when the data dir has no private index. A manifest of an older
    /// format is refused with a message saying to rebuild, or, for a build about to replace it, read as absent.</summary>
    public PrivateManifest? ReadManifest(bool outdatedAsAbsent = false)
    {
        if (!File.Exists(ManifestPath))
        {
            return null;
        }

        try
        {
            var m = JsonSerializer.Deserialize(File.ReadAllText(ManifestPath), PrivateManifestJson.Default.PrivateManifest);
            if (m is not null && m.Format is > 0 and < PrivateManifest.CurrentFormat)
            {
                return outdatedAsAbsent ? null : throw new PrivateIndexException(PrivateIndexFormat.OutdatedMessage(ManifestPath, m.Format));
            }

            if (m is null || m.Format != PrivateManifest.CurrentFormat)
            {
                throw new PrivateIndexException($"{ManifestPath}: unsupported private manifest format");
            }

            return m;
        }
        catch (JsonException e)
        {
            throw new PrivateIndexException($"{ManifestPath}: private manifest is not valid JSON ({e.Message})");
        }
    }

    /// <summary>Opens the index the manifest names and checks the header agrees with the manifest; with
    /// <paramref name="key"/>, also that the key wrote it, so its buckets can be decrypted.</summary>
    public PrivateIndexReader OpenPublished(PrivateManifest manifest, OprfServerKey? key)
    {
        if (manifest.IsWithdrawn)
        {
            throw new PrivateIndexException($"{ManifestPath}: the private index is withdrawn ({manifest.Withdrawn}); run `leakwatch private rebuild`");
        }

        var path = Path.Combine(DataDir, manifest.Index);
        if (!File.Exists(path))
        {
            throw new PrivateIndexException($"{path}: private index named by the manifest is missing");
        }

        var reader = PrivateIndexReader.Open(path, key);
        var problem = Mismatch(manifest, reader);
        if (problem is not null)
        {
            reader.Dispose();
            throw new PrivateIndexException($"{path}: {problem}");
        }

        return reader;
    }

    /// <summary>What differs between a manifest and the header of the file it names, or null.</summary>
    public static string? Mismatch(PrivateManifest m, PrivateIndexReader r)
    {
        var sections = r.Layout.Sections;
        if (m.BucketEntries != r.BucketEntries || m.EntrySize != PrivateProtocol.EntrySize || m.Sections.Count != sections.Count)
        {
            return "sections, bucketEntries or entrySize differ from the manifest";
        }

        for (var i = 0; i < sections.Count; i++)
        {
            if (m.Sections[i].Code != sections[i].Code || m.Sections[i].Bits != sections[i].Bits)
            {
                return "sections differ from the manifest";
            }
        }

        if (m.KeyId != r.KeyId || m.Generation != r.Generation)
        {
            return "keyId or generation differ from the manifest";
        }

        if (m.Salt != Convert.ToBase64String(r.Salt))
        {
            return "salt differs from the manifest";
        }

        if (m.Checksum != ChecksumText(r.EntriesChecksum) || m.IndexBytes != r.FileLength)
        {
            return "checksum or size differ from the manifest";
        }

        return null;
    }

    public static string ChecksumText(ulong entriesChecksum) => "xxh64:" + entriesChecksum.ToString("x16", CultureInfo.InvariantCulture);

    public string NewIndexPath(long generation)
    {
        Directory.CreateDirectory(Dir);
        return Path.Combine(Dir, $"gen-{generation:D8}-{Guid.NewGuid():N}.lwp");
    }

    /// <summary>Atomically makes <paramref name="next"/> the published private index (its file must already be fsynced)
    /// and returns it as written: its <see cref="PrivateManifest.Retired"/> list is the published manifest's, still within
    /// the retention period, plus the file this publish replaces (its own list is ignored).</summary>
    public PrivateManifest Publish(PrivateManifest next) => Publish(next, Retention);

    private PrivateManifest Publish(PrivateManifest next, GenerationRetention retention)
    {
        ArgumentNullException.ThrowIfNull(next);
        Directory.CreateDirectory(Dir);
        FileSync.Directory(Dir);
        PrivateManifest? previous;
        try
        {
            previous = ReadManifest(outdatedAsAbsent: true);
        }
        catch (PrivateIndexException)
        {
            previous = null; // fsck's to report; nothing of it can be retained
        }

        var retired = retention.Retire(previous?.Retired, [previous?.Index], [next.Index]);
        next = next with { Retired = retired.Length == 0 ? null : retired };
        var written = next;
        AtomicFile.Write(ManifestPath, fs => JsonSerializer.Serialize(fs, written, PrivateManifestJson.Default.PrivateManifest));
        return next;
    }

    /// <summary>
    /// Fails the private tier closed: publishes a manifest that names no index file (the server answers 503) and
    /// deletes the generation files at once, retained ones included, whatever the retention period: they list what may
    /// no longer be shown, and failing closed wins over a replica on another machine that still maps them (it fails
    /// too, which is closed). Everything a rebuild needs stays: key id, salt, sections and the recorded sources.
    /// </summary>
    public PrivateManifest Withdraw(PrivateManifest current, string reason)
    {
        var withdrawn = current with
        {
            Index = "",
            IndexBytes = 0,
            Checksum = "",
            Withdrawn = reason,
            Published = DateTimeOffset.UtcNow,
        };
        withdrawn = Publish(withdrawn, GenerationRetention.None);
        new PrivateIndexStore(DataDir, GenerationRetention.None).CollectGarbage(withdrawn);
        return withdrawn;
    }

    /// <summary>Deletes private index files the manifest no longer names (old generations, killed builds), except
    /// replaced generations still within the retention period.</summary>
    public void CollectGarbage(PrivateManifest? current)
    {
        foreach (var file in Unnamed(current))
        {
            FileSync.TryDelete(file);
        }
    }

    /// <summary>Generation files neither named by <paramref name="current"/> nor retained by it: what
    /// <see cref="CollectGarbage"/> deletes.</summary>
    public List<string> Unnamed(PrivateManifest? current)
    {
        var files = new List<string>();
        if (!Directory.Exists(Dir))
        {
            return files;
        }

        var kept = Retention.Kept(current?.Retired);
        foreach (var file in Directory.EnumerateFiles(Dir, "gen-*"))
        {
            var relative = Path.GetRelativePath(DataDir, file);
            if ((current is null || !string.Equals(relative, current.Index, StringComparison.Ordinal)) && !kept.Contains(relative))
            {
                files.Add(file);
            }
        }

        return files;
    }

    /// <summary>Replaced generation files the manifest retires that are still on disk and within the retention
    /// period: expected, not garbage (`fsck` shows them with the time each may be deleted).</summary>
    public List<(string Path, DateTimeOffset Expires)> Retained(PrivateManifest? current)
    {
        var files = new List<(string, DateTimeOffset)>();
        foreach (var r in current?.Retired ?? [])
        {
            var path = Path.Combine(DataDir, r.File);
            if (Retention.Keeps(r.Retired) && r.File != current!.Index && File.Exists(path))
            {
                files.Add((path, Retention.Expires(r.Retired)));
            }
        }

        return files;
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Privacy.Oprf;
using Leakwatch.Storage;
using static Leakwatch.Index.JsonFileReading;

namespace Leakwatch.Privacy;

/// <summary>
/// The secrets that make the data directory unreadable without them. Lives in its own file (mode 0600),
/// by default beside the data directory rather than inside it, so a copy of the data dir alone reveals nothing.
/// Version 2 adds the OPRF keys of private lookups: an active key and, during a rotation, a pending one.
/// A version 1 file still loads; it is rewritten as version 2 the first time an OPRF key is needed.
/// </summary>
public sealed class KeyFile
{
    private const int CurrentVersion = 2;
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string IndexKeyField = "indexKey";
    private readonly DateTimeOffset _created;

    private KeyFile(byte[] indexKey, string path, DateTimeOffset created, OprfServerKey? active, OprfServerKey? pending)
    {
        IndexKey = indexKey;
        Path = path;
        _created = created;
        KeyId = ComputeKeyId(indexKey);
        ActiveOprfKey = active;
        PendingOprfKey = pending;
    }

    public string Path { get; }

    /// <summary>16-byte SipHash key for identifier hashes in the exposure index.</summary>
    internal byte[] IndexKey { get; }

    /// <summary>Public fingerprint of the index key, stored in the manifest to catch a mismatched key file.</summary>
    public string KeyId { get; }

    /// <summary>The OPRF key new private indexes are built with; null until the first private build.</summary>
    public OprfServerKey? ActiveOprfKey { get; private set; }

    /// <summary>The key a rotation is rebuilding the private index with; promoted once that index is published.</summary>
    public OprfServerKey? PendingOprfKey { get; private set; }

    /// <summary>Default key file location for a data dir: a sibling named <c>&lt;datadir&gt;.key</c>.</summary>
    public static string DefaultPathFor(string dataDir)
    {
        var full = System.IO.Path.GetFullPath(dataDir).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        return full + ".key";
    }

    public static bool Exists(string path) => File.Exists(path);

    public static KeyFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new KeyFileException($"{path}: key file not found");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != UnixFileMode.None)
            {
                throw new KeyFileException($"{path}: key file is readable by others (mode {Convert.ToString((int)mode, 8)}); chmod 600 it");
            }
        }

        KeyFileDto? dto;
        try
        {
            dto = KeyFileDto.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new KeyFileException($"{path}: key file is not valid JSON");
        }

        if (dto is null || dto.Version is < 1 or > CurrentVersion || dto.IndexKey is null)
        {
            throw new KeyFileException($"{path}: unsupported key file (expected version 1 or {CurrentVersion})");
        }

        var key = Base64Field(path, IndexKeyField, dto.IndexKey, 16);
        var active = dto.Oprf?.Active is { } a ? OprfKeyFrom(path, "oprf.active", a) : null;
        var pending = dto.Oprf?.Pending is { } p ? OprfKeyFrom(path, "oprf.pending", p) : null;
        return new KeyFile(key, path, dto.Created, active, pending);
    }

    private static OprfServerKey OprfKeyFrom(string path, string field, OprfKeyDto dto)
    {
        var seed = Base64Field(path, field + ".seed", dto.Seed, OprfServerKey.SeedSize);
        var key = new OprfServerKey(seed, dto.Created);
        if (dto.KeyId is not null && !string.Equals(dto.KeyId, key.KeyId, StringComparison.Ordinal))
        {
            throw new KeyFileException($"{path}: field {field}.keyId does not match its seed");
        }

        return key;
    }

    private static byte[] Base64Field(string path, string field, string? value, int length)
    {
        if (value is null)
        {
            throw new KeyFileException($"{path}: field {field} is missing");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new KeyFileException($"{path}: field {field} is not base64");
        }

        if (bytes.Length != length)
        {
            throw new KeyFileException($"{path}: field {field} must be {length} bytes");
        }

        return bytes;
    }

    /// <summary>Creates a new key file with fresh random keys. Fails if the file exists.</summary>
    public static KeyFile Create(string path)
    {
        var keys = new KeyFile(RandomNumberGenerator.GetBytes(16), path, DateTimeOffset.UtcNow, null, null);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        using (var fs = new FileStream(path, OwnerOnly(FileMode.CreateNew)))
        {
            JsonSerializer.Serialize(fs, keys.ToDto(), KeyFileJson.Default.KeyFileDto);
            fs.Flush(flushToDisk: true);
        }

        return keys;
    }

    /// <summary>A key that lives only in this process: for analysing a dump when no index (and so no key file) exists.</summary>
    public static KeyFile Ephemeral() => new(RandomNumberGenerator.GetBytes(16), "(ephemeral key)", DateTimeOffset.UtcNow, null, null);

    public static KeyFile LoadOrCreate(string path) => File.Exists(path) ? Load(path) : Create(path);

    /// <summary>The active or pending OPRF key with this key id, or null.</summary>
    public OprfServerKey? FindOprfKey(string keyId) =>
        ActiveOprfKey?.KeyId == keyId ? ActiveOprfKey
        : PendingOprfKey?.KeyId == keyId ? PendingOprfKey
        : null;

    /// <summary>The active OPRF key, made (and the file rewritten) the first time one is needed.
    /// Callers hold the data dir's writer lock, so no other writer races the rewrite.</summary>
    public OprfServerKey EnsureActiveOprfKey()
    {
        Reload();
        if (ActiveOprfKey is { } existing)
        {
            return existing;
        }

        ActiveOprfKey = OprfServerKey.Generate();
        Save();
        return ActiveOprfKey;
    }

    /// <summary>The pending key of a rotation: an existing one is kept (an interrupted rotation resumes with it).</summary>
    public OprfServerKey CreatePendingOprfKey()
    {
        Reload();
        if (PendingOprfKey is { } existing)
        {
            return existing;
        }

        PendingOprfKey = OprfServerKey.Generate();
        Save();
        return PendingOprfKey;
    }

    /// <summary>Makes the pending key active; the old active key is forgotten.</summary>
    public void PromotePendingOprfKey()
    {
        Reload();
        if (PendingOprfKey is null)
        {
            throw new KeyFileException($"{Path}: no pending OPRF key to promote");
        }

        ActiveOprfKey = PendingOprfKey;
        PendingOprfKey = null;
        Save();
    }

    /// <summary>Picks up OPRF keys another process wrote since this one loaded the file.</summary>
    private void Reload()
    {
        if (!File.Exists(Path))
        {
            return;
        }

        var fresh = Load(Path);
        if (fresh.KeyId != KeyId)
        {
            throw new KeyFileException($"{Path}: key file was replaced while in use");
        }

        ActiveOprfKey = fresh.ActiveOprfKey;
        PendingOprfKey = fresh.PendingOprfKey;
    }

    /// <summary>Rewrites the file atomically: a 0600 temp file, fsynced, renamed over the old one, directory fsynced.</summary>
    private void Save()
    {
        var dto = ToDto();
        AtomicFile.Write(System.IO.Path.GetFullPath(Path), fs => JsonSerializer.Serialize(fs, dto, KeyFileJson.Default.KeyFileDto), OwnerReadWrite);
    }

    private KeyFileDto ToDto() => new()
    {
        Version = CurrentVersion,
        IndexKey = Convert.ToBase64String(IndexKey),
        Created = _created,
        Oprf = ActiveOprfKey is null && PendingOprfKey is null ? null : new OprfKeysDto
        {
            Active = ActiveOprfKey is null ? null : Dto(ActiveOprfKey),
            Pending = PendingOprfKey is null ? null : Dto(PendingOprfKey),
        },
    };

    private static OprfKeyDto Dto(OprfServerKey k) => new() { Seed = Convert.ToBase64String(k.Seed), KeyId = k.KeyId, Created = k.Created };

    private static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        return options;
    }

    /// <summary>HKDF-SHA256 of the index key: a subkey for one purpose (<paramref name="info"/>), e.g. a build's spill key.</summary>
    public byte[] DeriveSubkey(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, int length)
    {
        var output = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, IndexKey, output, salt, info);
        return output;
    }

    private static string ComputeKeyId(byte[] key)
    {
        // A keyed hash of a constant: identifies the key without revealing it.
        Span<byte> id = stackalloc byte[16];
        IdentifierHasher.SipHash128(key, "leakwatch/key-id/v1"u8, id);
        return Convert.ToHexStringLower(id[..8]);
    }
}

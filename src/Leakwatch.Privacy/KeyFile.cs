using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Leakwatch.Privacy;

/// <summary>
/// The secrets that make the data directory unreadable without them. Lives in its own file (mode 0600),
/// by default beside the data directory rather than inside it, so a copy of the data dir alone reveals nothing.
/// </summary>
public sealed class KeyFile
{
    private const int CurrentVersion = 1;

    private KeyFile(byte[] indexKey, string path)
    {
        IndexKey = indexKey;
        Path = path;
        KeyId = ComputeKeyId(indexKey);
    }

    public string Path { get; }

    /// <summary>16-byte SipHash key for identifier hashes in the exposure index.</summary>
    internal byte[] IndexKey { get; }

    /// <summary>Public fingerprint of the index key, stored in the manifest to catch a mismatched key file.</summary>
    public string KeyId { get; }

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
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new KeyFileException($"{path}: key file is readable by others (mode {Convert.ToString((int)mode, 8)}); chmod 600 it");
            }
        }

        KeyFileDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(File.ReadAllText(path), KeyFileJson.Default.KeyFileDto);
        }
        catch (JsonException)
        {
            throw new KeyFileException($"{path}: key file is not valid JSON");
        }

        if (dto is null || dto.Version != CurrentVersion || dto.IndexKey is null)
        {
            throw new KeyFileException($"{path}: unsupported key file (expected version {CurrentVersion})");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(dto.IndexKey);
        }
        catch (FormatException)
        {
            throw new KeyFileException($"{path}: field indexKey is not base64");
        }

        if (key.Length != 16)
        {
            throw new KeyFileException($"{path}: field indexKey must be 16 bytes");
        }

        return new KeyFile(key, path);
    }

    /// <summary>Creates a new key file with fresh random keys. Fails if the file exists.</summary>
    public static KeyFile Create(string path)
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var dto = new KeyFileDto { Version = CurrentVersion, IndexKey = Convert.ToBase64String(key), Created = DateTimeOffset.UtcNow };
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var fs = new FileStream(path, options))
        {
            JsonSerializer.Serialize(fs, dto, KeyFileJson.Default.KeyFileDto);
            fs.Flush(flushToDisk: true);
        }

        return new KeyFile(key, path);
    }

    /// <summary>A key that lives only in this process: for analysing a dump when no index (and so no key file) exists.</summary>
    public static KeyFile Ephemeral() => new(RandomNumberGenerator.GetBytes(16), "(ephemeral key)");

    public static KeyFile LoadOrCreate(string path) => File.Exists(path) ? Load(path) : Create(path);

    private static string ComputeKeyId(byte[] key)
    {
        // A keyed hash of a constant: identifies the key without revealing it.
        Span<byte> id = stackalloc byte[16];
        IdentifierHasher.SipHash128(key, "leakwatch/key-id/v1"u8, id);
        return Convert.ToHexStringLower(id[..8]);
    }
}

public sealed class KeyFileException(string message) : Exception(message);

internal sealed class KeyFileDto
{
    public int Version { get; set; }
    public string? IndexKey { get; set; }
    public DateTimeOffset Created { get; set; }
}

[JsonSerializable(typeof(KeyFileDto))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class KeyFileJson : JsonSerializerContext;

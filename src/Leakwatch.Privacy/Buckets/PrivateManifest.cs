using System.Text.Json.Serialization;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Privacy.Buckets;

/// <summary>The published private index (<c>private/manifest.json</c>, format 2); see docs/private-index-format.md.</summary>
public sealed record PrivateManifest
{
    public const int CurrentFormat = 2;

    public int Format { get; init; } = CurrentFormat;

    public long Generation { get; init; }

    /// <summary>Index file relative to the data dir.</summary>
    public string Index { get; init; } = "";

    public long IndexBytes { get; init; }

    /// <summary><c>xxh64:</c> and the XxHash64 of the entries section, as in the file header.</summary>
    public string Checksum { get; init; } = "";

    /// <summary>The OPRF key the entries were made with.</summary>
    public string KeyId { get; init; } = "";

    /// <summary>The bucket sections, as in the file's section table: code 0 for emails, else a calling code.</summary>
    public List<PrivateManifestSection> Sections { get; init; } = [];

    public int BucketEntries { get; init; }

    public int EntrySize { get; init; } = PrivateProtocol.EntrySize;

    /// <summary>Base64 of the 32-byte public salt of the entries' HKDF.</summary>
    public string Salt { get; init; } = "";

    /// <summary>Breaches indexed privately, with the source each was read from (for rebuilds and key rotation).</summary>
    public List<PrivateBreachSource> Breaches { get; init; } = [];

    public DateTimeOffset Published { get; init; }

    /// <summary>Set when the private tier was withdrawn (fail closed): why, for the operator. The index file is then
    /// gone and the server answers 503 until `leakwatch private rebuild` or `keys rotate-oprf` publishes a new one;
    /// key id, salt, sections and the recorded sources stay for that rebuild.</summary>
    public string? Withdrawn { get; init; }

    /// <summary>Generation files earlier publishes replaced, kept on disk for the retention period so replicas still
    /// reading them (over NFS) do not lose them; null when none. See <see cref="GenerationRetention"/>.</summary>
    public RetiredFile[]? Retired { get; init; }

    [JsonIgnore]
    public bool IsWithdrawn => Withdrawn is not null;

    public byte[] SaltBytes() => Convert.FromBase64String(Salt);

    public PrivateLayout Layout() => new(Sections.Select(s => (s.Code, s.Bits)));

    public static List<PrivateManifestSection> SectionsOf(PrivateLayout layout) =>
        [.. layout.Sections.Select(s => new PrivateManifestSection { Code = s.Code, Bits = s.Bits })];
}

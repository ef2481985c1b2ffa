using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Storage;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Passwords;

/// <summary>
/// <c>&lt;data-dir&gt;/passwords/manifest.json</c>: the published range files, one per hash mode. Replaced
/// atomically (tmp, fsync, rename, fsync dir), so readers see either the old or the new store, whole.
/// </summary>
internal sealed record PasswordManifest
{
    public const int CurrentFormat = 1;
    public const string FileName = "manifest.json";

    public int Format { get; init; } = CurrentFormat;

    public long Generation { get; init; }

    /// <summary>SHA-1 range file name inside <c>passwords/</c>, or null when none was ingested.</summary>
    public string? Sha1 { get; init; }

    public long Sha1Hashes { get; init; }

    public string? Ntlm { get; init; }

    public long NtlmHashes { get; init; }

    public DateTimeOffset Published { get; init; }

    /// <summary>Range files earlier publishes replaced, kept on disk for the retention period so replicas still
    /// reading them (over NFS) do not lose them; see <see cref="GenerationRetention"/>.</summary>
    public RetiredFile[] Retired { get; init; } = [];

    public string? FileFor(PasswordHashMode mode) => mode == PasswordHashMode.Sha1 ? Sha1 : Ntlm;

    public static string Dir(string dataDir) => Path.Combine(Path.GetFullPath(dataDir), "passwords");

    /// <summary>The published manifest, or null when nothing was ingested.</summary>
    public static PasswordManifest? Read(string passwordsDir)
    {
        var path = Path.Combine(passwordsDir, FileName);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            var m = JsonSerializer.Deserialize(text, PasswordManifestJson.Default.PasswordManifest);
            if (m is null || m.Format != CurrentFormat)
            {
                throw new PasswordStoreCorruptException($"{path}: unsupported password manifest format");
            }

            return m;
        }
        catch (JsonException e)
        {
            throw new PasswordStoreCorruptException($"{path}: password manifest is not valid JSON ({e.Message})");
        }
    }

    public void Publish(string passwordsDir)
    {
        var path = Path.Combine(passwordsDir, FileName);
        AtomicFile.Write(path, fs => JsonSerializer.Serialize(fs, this, PasswordManifestJson.Default.PasswordManifest));
    }
}

using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Passwords;

/// <summary>
/// The published Pwned Passwords store of a data dir: one memory-mapped range file per hash mode.
/// An instance is an immutable snapshot and thread-safe; reopen when <see cref="Generation"/> of a fresh
/// <see cref="Open"/> differs to pick up a later ingest. Do not dispose while requests still use it.
/// </summary>
public sealed class PasswordRangeStore : IDisposable
{
    /// <summary>Longest padding line: 35 hex + ":0" + CRLF.</summary>
    private const int MaxPaddingLine = 35 + 2 + 2;

    private readonly PasswordRangeReader? _sha1;
    private readonly PasswordRangeReader? _ntlm;

    private PasswordRangeStore(long generation, PasswordRangeReader? sha1, PasswordRangeReader? ntlm)
    {
        Generation = generation;
        _sha1 = sha1;
        _ntlm = ntlm;
    }

    /// <summary>Changes on every publish.</summary>
    public long Generation { get; }

    /// <summary>
    /// Opens the published store, or null when no passwords were ingested. Throws
    /// <see cref="PasswordStoreCorruptException"/> when the manifest or a file it names is damaged.
    /// </summary>
    public static PasswordRangeStore? Open(string dataDir)
    {
        var dir = PasswordManifest.Dir(dataDir);
        for (var attempt = 0; ; attempt++)
        {
            var manifest = PasswordManifest.Read(dir);
            if (manifest is null)
            {
                return null;
            }

            try
            {
                return Open(dir, manifest);
            }
            catch (PasswordStoreCorruptException) when (attempt < 3 && PasswordManifest.Read(dir)?.Generation != manifest.Generation)
            {
                // An ingest published and swept the files between reading the manifest and opening them.
            }
        }
    }

    /// <summary>Full verification of every published file (checksums over all records); empty when healthy.</summary>
    public List<string> Verify()
    {
        var problems = new List<string>();
        if (_sha1 is not null)
        {
            problems.AddRange(_sha1.Verify());
        }

        if (_ntlm is not null)
        {
            problems.AddRange(_ntlm.Verify());
        }

        return problems;
    }

    /// <summary>What <c>fsck</c> reports of a data dir's password store: empty when healthy or absent. A store that
    /// cannot even be opened is one problem among the data dir's others, not the end of the check.</summary>
    public static List<string> Fsck(string dataDir)
    {
        try
        {
            using var store = Open(dataDir);
            return store?.Verify() ?? [];
        }
        catch (PasswordStoreCorruptException e)
        {
            return [e.Message];
        }
    }

    /// <summary>Files an interrupted ingest left that the next `ingest-passwords` deletes (read-only: for `fsck`).</summary>
    public static List<string> Orphans(string dataDir, GenerationRetention? retention = null)
    {
        var dir = PasswordManifest.Dir(dataDir);
        try
        {
            return PasswordIngest.Leftovers(dir, PasswordManifest.Read(dir), retention ?? GenerationRetention.Default);
        }
        catch (PasswordStoreCorruptException)
        {
            return []; // Fsck reports the manifest itself
        }
    }

    /// <summary>Replaced range files the manifest retires that are still on disk and within the retention period:
    /// expected, not orphans (for `fsck`), each with the time from which the next ingest deletes it.</summary>
    public static List<(string Path, DateTimeOffset Expires)> Retained(string dataDir, GenerationRetention? retention = null)
    {
        retention ??= GenerationRetention.Default;
        var dir = PasswordManifest.Dir(dataDir);
        var files = new List<(string, DateTimeOffset)>();
        PasswordManifest? manifest;
        try
        {
            manifest = PasswordManifest.Read(dir);
        }
        catch (PasswordStoreCorruptException)
        {
            return files; // Fsck reports the manifest itself
        }

        foreach (var r in manifest?.Retired ?? [])
        {
            var path = Path.Combine(dir, Path.GetFileName(r.File));
            if (retention.Keeps(r.Retired) && r.File != manifest!.Sha1 && r.File != manifest.Ntlm && File.Exists(path))
            {
                files.Add((path, retention.Expires(r.Retired)));
            }
        }

        return files;
    }

    internal static PasswordRangeStore Open(string passwordsDir, PasswordManifest manifest)
    {
        PasswordRangeReader? sha1 = null;
        try
        {
            sha1 = OpenFile(passwordsDir, manifest.Sha1, PasswordHashMode.Sha1);
            var ntlm = OpenFile(passwordsDir, manifest.Ntlm, PasswordHashMode.Ntlm);
            return new PasswordRangeStore(manifest.Generation, sha1, ntlm);
        }
        catch
        {
            sha1?.Dispose();
            throw;
        }
    }

    private static PasswordRangeReader? OpenFile(string dir, string? name, PasswordHashMode mode)
    {
        if (name is null)
        {
            return null;
        }

        if (name.Contains('/') || name.Contains('\\') || name.Contains(".."))
        {
            throw new PasswordStoreCorruptException($"{dir}: manifest names an invalid file '{name}'");
        }

        var path = Path.Combine(dir, name);
        if (!File.Exists(path))
        {
            throw new PasswordStoreCorruptException($"{path}: password range file named by the manifest is missing");
        }

        return PasswordRangeReader.Open(path, mode);
    }

    internal PasswordRangeReader? FileFor(PasswordHashMode mode) => mode == PasswordHashMode.Sha1 ? _sha1 : _ntlm;

    /// <summary>Number of distinct hashes stored for the mode.</summary>
    public long Count(PasswordHashMode mode) => FileFor(mode)?.RecordCount ?? 0;

    /// <summary>Sum of all stored counts for the mode.</summary>
    public ulong TotalCount(PasswordHashMode mode) => FileFor(mode)?.TotalCount ?? 0;

    /// <summary>
    /// Writes the HIBP range body for a 5-hex prefix (any case) into <paramref name="output"/>: uppercase
    /// suffixes (35 hex for SHA-1, 27 for NTLM), <c>SUFFIX:COUNT</c> lines joined by CRLF, no trailing newline,
    /// sorted by suffix. A prefix with no hashes gives an empty body. Returns the number of lines.
    /// Allocation-free; throws <see cref="ArgumentException"/> for a prefix that is not 5 hex characters.
    /// </summary>
    public int WriteRange(PasswordHashMode mode, ReadOnlySpan<char> prefix5, IBufferWriter<byte> output)
        => WriteRange(mode, ParsePrefix(prefix5), output);

    /// <summary>The same body for a prefix given as its number, 0 … <see cref="PrefixCount"/> − 1 (what
    /// <c>leakwatch export</c> walks). Throws <see cref="ArgumentOutOfRangeException"/> outside that.</summary>
    public int WriteRange(PasswordHashMode mode, int prefix, IBufferWriter<byte> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefix, PrefixCount);
        var file = FileFor(mode);
        return file is null ? 0 : file.WriteRange(prefix, output);
    }

    /// <summary>Number of 5-hex prefixes: 16⁵.</summary>
    public const int PrefixCount = PasswordRangeFormat.BucketCount;

    /// <summary>
    /// A strong ETag for the range, quoted: XxHash64 of the range's stored bytes, seeded with the format
    /// version, mode and prefix. It depends only on the range's content, so it survives publishes that
    /// leave the prefix unchanged and changes whenever the body does.
    /// </summary>
    public string ETag(PasswordHashMode mode, ReadOnlySpan<char> prefix5) => RangeHeaders.ETag(ContentHash(mode, ParsePrefix(prefix5)));

    /// <summary>The 64-bit hash the range's ETag shows (see <see cref="ETag"/>): equal hashes mean equal bodies, so
    /// an export compares these to skip ranges a publish left unchanged without rendering them.</summary>
    public ulong ContentHash(PasswordHashMode mode, int prefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefix, PrefixCount);
        var seed = ((long)PasswordRangeFormat.Version << 40) | ((long)PasswordRangeFormat.ModeCode(mode) << 32) | (uint)prefix;
        var file = FileFor(mode);
        return XxHash64.HashToUInt64(file is null ? [] : file.BucketBytes(prefix), seed);
    }

    /// <summary>
    /// Appends HIBP-style <c>Add-Padding</c> lines: random uppercase suffixes of the mode's length with count 0,
    /// CRLF-joined (with a CRLF after a non-empty body), until the total is a random number of lines in
    /// [800, 1000]. Adds none when the body already has that many. Returns the number of lines added.
    /// </summary>
    public static int AppendPadding(PasswordHashMode mode, int existingLines, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var target = RandomNumberGenerator.GetInt32(800, 1001);
        var add = target - Math.Max(0, existingLines);
        if (add <= 0)
        {
            return 0;
        }

        var digits = PasswordRangeFormat.SuffixHexDigits(mode);
        var randomPerLine = (digits + 1) / 2;
        Span<byte> random = stackalloc byte[64 * 18];
        var hex = Hex.Digits;
        var done = 0;
        while (done < add)
        {
            var chunk = Math.Min(add - done, 64);
            var rnd = random[..(chunk * randomPerLine)];
            RandomNumberGenerator.Fill(rnd);
            var span = output.GetSpan(chunk * MaxPaddingLine);
            var pos = 0;
            for (var k = 0; k < chunk; k++)
            {
                if (existingLines > 0 || done + k > 0)
                {
                    span[pos++] = (byte)'\r';
                    span[pos++] = (byte)'\n';
                }

                var r = rnd.Slice(k * randomPerLine, randomPerLine);
                for (var i = 0; i < digits; i++)
                {
                    var b = r[i >> 1];
                    span[pos++] = hex[(i & 1) == 0 ? b >> 4 : b & 15];
                }

                span[pos++] = (byte)':';
                span[pos++] = (byte)'0';
            }

            output.Advance(pos);
            done += chunk;
        }

        return add;
    }

    /// <summary>Exactly 5 hex characters, any case.</summary>
    public static bool IsValidPrefix(ReadOnlySpan<char> prefix)
    {
        if (prefix.Length != 5)
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (Hex.Value(c) < 0)
            {
                return false;
            }
        }

        return true;
    }

    internal static int ParsePrefix(ReadOnlySpan<char> prefix)
    {
        if (prefix.Length != 5)
        {
            throw new ArgumentException("a hash prefix is exactly 5 hex characters", nameof(prefix));
        }

        var v = 0;
        foreach (var c in prefix)
        {
            var d = Hex.Value(c);
            if (d < 0)
            {
                throw new ArgumentException("a hash prefix is exactly 5 hex characters", nameof(prefix));
            }

            v = (v << 4) | d;
        }

        return v;
    }

    public void Dispose()
    {
        _sha1?.Dispose();
        _ntlm?.Dispose();
    }
}

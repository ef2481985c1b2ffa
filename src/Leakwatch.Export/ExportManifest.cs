using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Leakwatch.Core.Errors;
using Leakwatch.Passwords;
using Leakwatch.Storage;

namespace Leakwatch.Export;

/// <summary>
/// <c>etags.json</c>, format 1 (README, "Static export"): the strong ETag of every range file, as <c>serve</c> sends it,
/// keyed by its path in the export; the <c>.gz</c> sibling's tag is the same with <c>-gz</c> before the closing quote.
/// The next export compares against it and rewrites only ranges whose tag changed. Written last, atomically, so a
/// crash part-way leaves the previous manifest and the next export redoes whatever it had not recorded.
/// </summary>
internal sealed class ExportManifest
{
    public const int CurrentFormat = 1;
    private static readonly PasswordHashMode[] Modes = [PasswordHashMode.Sha1, PasswordHashMode.Ntlm];

    /// <summary>Content hashes per mode (index 0 SHA-1, 1 NTLM), one per prefix.</summary>
    public ulong[][] Hashes { get; } = [new ulong[PasswordRangeStore.PrefixCount], new ulong[PasswordRangeStore.PrefixCount]];

    public long PasswordGeneration { get; set; }

    /// <summary>The private generation exported, or null.</summary>
    public long? PrivateGeneration { get; set; }

    public long PrivateBuckets { get; set; }

    public static int ModeIndex(PasswordHashMode mode) => mode == PasswordHashMode.Ntlm ? 1 : 0;

    /// <summary>The previous export's manifest, or null when there is none or it is of another format (then the
    /// export writes every file again). A manifest that does not parse is an error naming it.</summary>
    public static ExportManifest? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"{path}: not an export manifest ({e.Message}); delete it to export every file again", e);
        }
    }

    private static ExportManifest? Parse(ReadOnlySpan<byte> json)
    {
        var m = new ExportManifest();
        var seen = new bool[2];
        var reader = new Utf8JsonReader(json);
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "expected an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "format":
                    if (reader.GetInt32() != CurrentFormat)
                    {
                        return null;
                    }

                    break;
                case "passwordsGeneration":
                    m.PasswordGeneration = reader.GetInt64();
                    break;
                case "privateGeneration":
                    m.PrivateGeneration = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
                    break;
                case "privateBuckets":
                    m.PrivateBuckets = reader.GetInt64();
                    break;
                case "ranges":
                    ReadRanges(ref reader, m, seen);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        Expect(seen[0] && seen[1], "no ranges");
        return m;
    }

    private static void ReadRanges(ref Utf8JsonReader reader, ExportManifest m, bool[] seen)
    {
        Expect(reader.TokenType == JsonTokenType.StartObject, "ranges: expected an object");
        Span<byte> key = stackalloc byte[32];
        Span<byte> value = stackalloc byte[32];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var kn = reader.CopyString(key);
            reader.Read();
            var vn = reader.CopyString(value);
            // "/range/sha1/ABCDE" → "\"0123456789ABCDEF\""
            Expect(kn == 17 && key[..7].SequenceEqual("/range/"u8) && key[11] == (byte)'/', "ranges: bad path");
            var mode = key[7..11].SequenceEqual("sha1"u8) ? 0 : key[7..11].SequenceEqual("ntlm"u8) ? 1 : -1;
            Expect(mode >= 0 && vn == 18 && value[0] == (byte)'"' && value[17] == (byte)'"', "ranges: bad entry");
            var prefix = int.Parse(key[12..17], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            m.Hashes[mode][prefix] = ulong.Parse(value[1..17], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            seen[mode] = true;
        }
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new FormatException(what);
        }
    }

    /// <summary>Writes the manifest atomically; one range per line, so two manifests diff line by line.</summary>
    public void Write(string path)
    {
        using var writer = new AtomicFileWriter(path, bufferSize: 1 << 20);
        {
            var buffered = writer.Stream;
            Span<byte> line = stackalloc byte[64];
            var head = string.Create(CultureInfo.InvariantCulture,
                $"{{\"format\":{CurrentFormat},\"passwordsGeneration\":{PasswordGeneration},\"privateGeneration\":{(PrivateGeneration is { } g ? g.ToString(CultureInfo.InvariantCulture) : "null")},\"privateBuckets\":{PrivateBuckets},\"ranges\":{{\n");
            buffered.Write(Encoding.ASCII.GetBytes(head));
            for (var mi = 0; mi < Modes.Length; mi++)
            {
                for (var p = 0; p < PasswordRangeStore.PrefixCount; p++)
                {
                    var n = FormatLine(line, Modes[mi], p, Hashes[mi][p], last: mi == Modes.Length - 1 && p == PasswordRangeStore.PrefixCount - 1);
                    buffered.Write(line[..n]);
                }
            }

            buffered.Write("}}\n"u8);
        }

        writer.Commit();
    }

    private static int FormatLine(Span<byte> line, PasswordHashMode mode, int prefix, ulong hash, bool last)
    {
        var pos = 0;
        Append(line, ref pos, "\"/range/"u8);
        Append(line, ref pos, mode == PasswordHashMode.Ntlm ? "ntlm/"u8 : "sha1/"u8);
        prefix.TryFormat(line[pos..], out var w, "X5", CultureInfo.InvariantCulture);
        pos += w;
        Append(line, ref pos, "\":\"\\\""u8);
        hash.TryFormat(line[pos..], out w, "X16", CultureInfo.InvariantCulture);
        pos += w;
        Append(line, ref pos, last ? "\\\"\"\n"u8 : "\\\"\",\n"u8);
        return pos;
    }

    private static void Append(Span<byte> line, ref int pos, ReadOnlySpan<byte> text)
    {
        text.CopyTo(line[pos..]);
        pos += text.Length;
    }

    /// <summary>Writes the nginx <c>map</c> from a range file's URI to its tag's hex (the quotes and the
    /// <c>-gz</c> of a gzip answer are added by nginx-headers.conf).</summary>
    public void WriteNginxMap(string path)
    {
        using var writer = new AtomicFileWriter(path, bufferSize: 1 << 20);
        {
            var buffered = writer.Stream;
            buffered.Write(Encoding.ASCII.GetBytes(ExportHeaders.NginxMapHead(2 * PasswordRangeStore.PrefixCount)));
            var line = ArrayPool<byte>.Shared.Rent(64);
            try
            {
                for (var mi = 0; mi < Modes.Length; mi++)
                {
                    for (var p = 0; p < PasswordRangeStore.PrefixCount; p++)
                    {
                        var pos = 0;
                        Append(line, ref pos, "    /range/"u8);
                        Append(line, ref pos, Modes[mi] == PasswordHashMode.Ntlm ? "ntlm/"u8 : "sha1/"u8);
                        p.TryFormat(line.AsSpan(pos), out var w, "X5", CultureInfo.InvariantCulture);
                        pos += w;
                        line[pos++] = (byte)' ';
                        Hashes[mi][p].TryFormat(line.AsSpan(pos), out w, "X16", CultureInfo.InvariantCulture);
                        pos += w;
                        Append(line, ref pos, ";\n"u8);
                        buffered.Write(line, 0, pos);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(line);
            }

            buffered.Write(Encoding.ASCII.GetBytes(ExportHeaders.NginxMapTail));
        }

        writer.Commit();
    }
}

using System.Text;

namespace Leakwatch.Reading;

/// <summary>
/// A dump file's text encoding, detected from its first bytes (<see cref="Detect"/>) or forced by name
/// (<see cref="TryParse"/>). Everything after it reads UTF-8: <see cref="Decode"/> leaves UTF-8 input untouched
/// (zero-copy) and transcodes anything else, so a byte the encoding cannot map arrives as U+FFFD and costs only
/// its field (see <see cref="DumpRow.IsDamaged"/>).
/// </summary>
public sealed class DumpEncoding
{
    // First: the static fields below need the code pages (field initializers run in textual order).
    private static readonly bool CodePagesRegistered = RegisterCodePages();

    public static readonly DumpEncoding Utf8 = new("utf-8", Kind.Utf8, preamble: []);
    public static readonly DumpEncoding Utf8Bom = new("utf-8-bom", Kind.Utf8, preamble: [0xEF, 0xBB, 0xBF]);
    public static readonly DumpEncoding Utf16Le = new("utf-16le", Kind.Transcoded, preamble: [0xFF, 0xFE])
    {
        _encoding = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: false),
    };
    public static readonly DumpEncoding Utf16Be = new("utf-16be", Kind.Transcoded, preamble: [0xFE, 0xFF])
    {
        _encoding = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: false),
    };
    public static readonly DumpEncoding Windows1252 = new("windows-1252", Kind.SingleByte, preamble: [])
    {
        _table = Windows1252Table(),
    };

    /// <summary>Names <see cref="TryParse"/> knows without asking the code-page provider, for messages.</summary>
    public const string KnownNames = "utf-8, utf-16le, utf-16be, windows-1252, latin1, or a code page name such as windows-1251";

    private readonly Kind _kind;
    private readonly byte[] _preamble;
    private Encoding? _encoding;
    private char[]? _table;

    private DumpEncoding(string name, Kind kind, byte[] preamble)
    {
        Name = name;
        _kind = kind;
        _preamble = preamble;
    }

    private enum Kind
    {
        Utf8,
        SingleByte,
        Transcoded,
    }

    /// <summary>How messages and the ingest output name it: utf-8, utf-8-bom, utf-16le, utf-16be, windows-1252,
    /// or a forced encoding's web name (iso-8859-1, windows-1251, …).</summary>
    public string Name { get; }

    public bool IsUtf8 => _kind == Kind.Utf8;

    public override string ToString() => Name;

    /// <summary>
    /// The encoding of a file that starts with <paramref name="head"/> (<paramref name="wholeInput"/> when that is
    /// all of it): a byte-order mark decides (UTF-8, UTF-16 LE/BE), then a SQL dump's declared charset
    /// (<see cref="DeclaredCharset"/>); without either, Windows-1252 when the head's
    /// invalid UTF-8 sequences outnumber its valid multi-byte ones, else UTF-8. Text in Windows-1252 almost never
    /// forms valid UTF-8 sequences, and UTF-8 text almost never holds invalid ones, so whichever is more frequent
    /// tells them apart; a UTF-8 file with a few bad bytes stays UTF-8 and loses only those fields.
    /// </summary>
    public static DumpEncoding Detect(ReadOnlySpan<byte> head, bool wholeInput)
    {
        if (head.StartsWith(Utf8Bom._preamble))
        {
            return Utf8Bom;
        }

        if (head.StartsWith(Utf16Le._preamble))
        {
            return Utf16Le;
        }

        if (head.StartsWith(Utf16Be._preamble))
        {
            return Utf16Be;
        }

        if (DeclaredCharset(head) is { } declared)
        {
            return declared;
        }

        var (valid, invalid) = CountUtf8Sequences(head, wholeInput);
        return invalid > valid ? Windows1252 : Utf8;
    }

    /// <summary>The charset a SQL dump declares near its top (mysqldump's <c>SET NAMES utf8mb4</c>, pg_dump's
    /// <c>SET client_encoding = 'UTF8'</c>): it outranks counting, since such dumps hold raw binary strings that
    /// are invalid UTF-8 in a UTF-8 file. MySQL's latin1 is Windows-1252, and PostgreSQL's LATIN1 reads as it.</summary>
    internal static DumpEncoding? DeclaredCharset(ReadOnlySpan<byte> head)
    {
        var at = head.IndexOf("SET NAMES "u8);
        var skip = "SET NAMES "u8.Length;
        if (at < 0)
        {
            at = head.IndexOf("SET client_encoding = '"u8);
            skip = "SET client_encoding = '"u8.Length;
        }

        if (at < 0)
        {
            return null;
        }

        var rest = head[(at + skip)..];
        rest = rest.TrimStart("'\"`"u8);
        var end = 0;
        while (end < rest.Length && end < 32 && (char.IsAsciiLetterOrDigit((char)rest[end]) || rest[end] is (byte)'_' or (byte)'-'))
        {
            end++;
        }

        var name = System.Text.Encoding.ASCII.GetString(rest[..end]).ToLowerInvariant();
        return name switch
        {
            "" => null,
            "utf8" or "utf8mb4" or "utf8mb3" or "unicode" => Utf8,
            "latin1" or "win1252" => Windows1252,
            _ => TryParse(name.StartsWith("win", StringComparison.Ordinal) ? "windows-" + name[3..] : name, out var e) ? e : null,
        };
    }

    /// <summary>Multi-byte UTF-8 sequences in <paramref name="bytes"/>: how many are valid, how many invalid. An
    /// incomplete sequence at the end counts as invalid only when nothing follows it.</summary>
    internal static (int Valid, int Invalid) CountUtf8Sequences(ReadOnlySpan<byte> bytes, bool wholeInput)
    {
        var valid = 0;
        var invalid = 0;
        var pos = 0;
        while (true)
        {
            var high = bytes[pos..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            if (high < 0)
            {
                return (valid, invalid);
            }

            pos += high;
            var status = System.Text.Rune.DecodeFromUtf8(bytes[pos..], out _, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                valid++;
            }
            else if (status != System.Buffers.OperationStatus.NeedMoreData || wholeInput)
            {
                invalid++;
            }
            else
            {
                return (valid, invalid);
            }

            pos += Math.Max(1, consumed);
        }
    }

    /// <summary>The encoding <paramref name="name"/> forces (`--encoding`): utf-8, utf-16le/utf-16be (utf-16 is LE),
    /// windows-1252 (cp1252), latin1 (iso-8859-1), or any code page .NET knows by name or number.</summary>
    public static bool TryParse(string? name, out DumpEncoding encoding)
    {
        encoding = Utf8;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var key = name.Trim().ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        DumpEncoding? known = key switch
        {
            "utf8" => Utf8,
            "utf16" or "utf16le" or "unicode" => Utf16Le,
            "utf16be" => Utf16Be,
            "windows1252" or "cp1252" or "1252" => Windows1252,
            _ => null,
        };
        if (known is not null)
        {
            encoding = known;
            return true;
        }

        var found = CodePage(name.Trim());
        if (found is null)
        {
            return false;
        }

        encoding = found.CodePage switch
        {
            65001 => Utf8,
            1200 => Utf16Le,
            1201 => Utf16Be,
            1252 => Windows1252,
            _ => FromEncoding(found),
        };
        return true;
    }

    private static Encoding? CodePage(string name)
    {
        try
        {
            var fallback = new DecoderReplacementFallback("\uFFFD");
            return int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var page)
                ? Encoding.GetEncoding(page, EncoderFallback.ReplacementFallback, fallback)
                : Encoding.GetEncoding(name, EncoderFallback.ReplacementFallback, fallback);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static DumpEncoding FromEncoding(Encoding encoding)
    {
        if (encoding.IsSingleByte)
        {
            var bytes = new byte[256];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)i;
            }

            var table = encoding.GetChars(bytes);
            var asciiBelow80 = table.Length == 256;
            for (var i = 0; i < 0x80 && asciiBelow80; i++)
            {
                asciiBelow80 = table[i] == i;
            }

            // EBCDIC and the like are single-byte too, but their ASCII half differs: they take the general path.
            if (asciiBelow80)
            {
                return new DumpEncoding(encoding.WebName, Kind.SingleByte, preamble: []) { _table = table };
            }
        }

        return new DumpEncoding(encoding.WebName, Kind.Transcoded, encoding.Preamble.ToArray()) { _encoding = encoding };
    }

    /// <summary>Bytes of <paramref name="head"/> that are this encoding's byte-order mark, to skip.</summary>
    /// <exception cref="DumpFormatException">A forced UTF-8 meets a UTF-16 byte-order mark.</exception>
    internal int PreambleLength(ReadOnlySpan<byte> head, string file)
    {
        if (_kind == Kind.Utf8)
        {
            if (head.StartsWith(Utf16Le._preamble) || head.StartsWith(Utf16Be._preamble))
            {
                throw new DumpFormatException(file, 0, "starts with a UTF-16 byte-order mark, which UTF-8 cannot read; drop --encoding to read it as UTF-16");
            }

            return head.StartsWith(Utf8Bom._preamble) ? Utf8Bom._preamble.Length : 0;
        }

        return _preamble.Length > 0 && head.StartsWith(_preamble) ? _preamble.Length : 0;
    }

    /// <summary>UTF-8 bytes of <paramref name="source"/> (after its byte-order mark): the stream itself when it is
    /// UTF-8 already.</summary>
    internal Stream Decode(Stream source) => _kind switch
    {
        Kind.Utf8 => source,
        Kind.SingleByte => new SingleByteTranscodingStream(source, _table!),
        _ => Encoding.CreateTranscodingStream(source, _encoding!, Encoding.UTF8, leaveOpen: true),
    };

    private static bool RegisterCodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return true;
    }

    /// <summary>Windows-1252 as .NET maps it, except the five bytes the code page leaves undefined (0x81, 0x8D,
    /// 0x8F, 0x90, 0x9D): .NET passes them through as C1 controls, which no text holds, so they are damage.</summary>
    private static char[] Windows1252Table()
    {
        var bytes = new byte[256];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }

        _ = CodePagesRegistered;
        var table = Encoding.GetEncoding(1252).GetChars(bytes);
        foreach (var undefined in (ReadOnlySpan<byte>)[0x81, 0x8D, 0x8F, 0x90, 0x9D])
        {
            table[undefined] = '\uFFFD';
        }

        return table;
    }
}

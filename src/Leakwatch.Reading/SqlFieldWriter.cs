using System.Buffers;
using System.Text.Unicode;

namespace Leakwatch.Reading;

/// <summary>Decodes SQL values into the reusable row: string literals with their escapes, hex and binary
/// literals, NULL, bare numbers, and pg_dump COPY fields. Decoded bytes that are not UTF-8 make the field
/// empty (damaged), never the row bad: mysqldump writes password hashes and blobs as raw bytes beside the
/// identifiers worth keeping.</summary>
internal sealed class SqlFieldWriter(BufferedDumpRow row) : IDisposable
{
    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(4096);

    public BufferedDumpRow Row => row;

    /// <summary>Parses one MySQL/PostgreSQL value at <paramref name="pos"/> and stores it in column
    /// <paramref name="col"/> (skipped when negative).</summary>
    /// <returns>False when the text is not a value.</returns>
    public bool Value(ReadOnlySpan<byte> s, ref int pos, int col, bool backslashEscapes)
    {
        if (pos >= s.Length)
        {
            return false;
        }

        var c = s[pos];
        if (c == (byte)'_' && SkipIntroducer(s, ref pos))
        {
            c = s[pos];
        }

        var next = pos + 1 < s.Length ? s[pos + 1] : (byte)0;
        if (c == (byte)'\'')
        {
            return Quoted(s, ref pos, col, backslashEscapes);
        }

        if (next == (byte)'\'' && c is (byte)'X' or (byte)'x')
        {
            return HexQuoted(s, ref pos, col);
        }

        // E'…' (PostgreSQL escapes), N'…' (national), b'0101' (MySQL BIT, kept as its digits).
        if (next == (byte)'\'' && c is (byte)'E' or (byte)'e' or (byte)'N' or (byte)'n' or (byte)'B' or (byte)'b')
        {
            pos++;
            return Quoted(s, ref pos, col, backslashEscapes || c is (byte)'E' or (byte)'e');
        }

        if (c == (byte)'0' && next is (byte)'x' or (byte)'X')
        {
            var start = pos + 2;
            pos = start;
            while (pos < s.Length && char.IsAsciiHexDigit((char)s[pos]))
            {
                pos++;
            }

            return Hex(s[start..pos], col);
        }

        return Bare(s, ref pos, col);
    }

    /// <summary>One tab-separated field of a COPY line: <c>\N</c> is NULL, backslash escapes as pg_dump writes them.</summary>
    public void CopyField(ReadOnlySpan<byte> field, int col)
    {
        if (col < 0 || (field.Length == 2 && field[0] == (byte)'\\' && field[1] == (byte)'N'))
        {
            return;
        }

        if (field.IndexOf((byte)'\\') < 0)
        {
            Commit(col, field);
            return;
        }

        var n = PgCopyEscapes.Decode(field, Scratch(field.Length));
        Commit(col, _scratch.AsSpan(0, n));
    }

    /// <summary>Stores UTF-8 bytes as the trimmed value of <paramref name="col"/>; invalid UTF-8 leaves it empty.</summary>
    public void Commit(int col, ReadOnlySpan<byte> utf8)
    {
        if (col < 0)
        {
            return;
        }

        var buffer = row.ValueBuffer(utf8.Length);
        if (Utf8.ToUtf16(utf8, buffer, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            row.CommitValue(col, 0);
            return;
        }

        var value = buffer[..written];
        var trimmed = value.Trim();
        if (trimmed.Length != value.Length && trimmed.Length > 0)
        {
            value.Slice(value.Length - value.TrimStart().Length, trimmed.Length).CopyTo(value);
        }

        row.CommitValue(col, trimmed.Length);
    }

    private static bool SkipIntroducer(ReadOnlySpan<byte> s, ref int pos)
    {
        var p = pos + 1;
        while (p < s.Length && SqlText.IsIdentifierByte(s[p]))
        {
            p++;
        }

        SqlText.SkipBlank(s, ref p);
        if (p < s.Length && (s[p] == (byte)'\'' || s[p] is (byte)'X' or (byte)'x' or (byte)'0'))
        {
            pos = p;
            return true;
        }

        return false;
    }

    private bool Quoted(ReadOnlySpan<byte> s, ref int pos, int col, bool backslashEscapes)
    {
        var start = pos + 1;
        var body = s[start..];
        var stop = backslashEscapes ? body.IndexOfAny((byte)'\'', (byte)'\\') : body.IndexOf((byte)'\'');
        if (stop >= 0 && body[stop] == (byte)'\'' && (stop + 1 >= body.Length || body[stop + 1] != (byte)'\''))
        {
            // No escapes: the literal's bytes are the value.
            Commit(col, body[..stop]);
            pos = start + stop + 1;
            return true;
        }

        var end = SqlStringEscapes.Decode(body, Scratch(body.Length), backslashEscapes, out var written);
        if (end < 0)
        {
            return false;
        }

        Commit(col, _scratch.AsSpan(0, written));
        pos = start + end;
        return true;
    }

    private bool HexQuoted(ReadOnlySpan<byte> s, ref int pos, int col)
    {
        var start = pos + 2;
        var close = s[start..].IndexOf((byte)'\'');
        if (close < 0)
        {
            return false;
        }

        pos = start + close + 1;
        return Hex(s.Slice(start, close), col);
    }

    private bool Hex(ReadOnlySpan<byte> hex, int col)
    {
        if ((hex.Length & 1) != 0)
        {
            return false;
        }

        var bytes = Scratch(hex.Length / 2);
        for (var i = 0; i < bytes.Length; i++)
        {
            var hi = HexDigit(hex[2 * i]);
            var lo = HexDigit(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            bytes[i] = (byte)((hi << 4) | lo);
        }

        Commit(col, bytes);
        return true;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>NULL, a number, a keyword or a function call: everything up to the next ',' or ')' outside
    /// parentheses; NULL is empty, anything else is kept as written.</summary>
    private bool Bare(ReadOnlySpan<byte> s, ref int pos, int col)
    {
        var start = pos;
        var depth = 0;
        while (pos < s.Length)
        {
            var c = s[pos];
            if (c == (byte)'(')
            {
                depth++;
            }
            else if (c is (byte)',' or (byte)')' && depth == 0)
            {
                break;
            }
            else if (c == (byte)')')
            {
                depth--;
            }
            else if (c == (byte)'\'')
            {
                return false;
            }

            pos++;
        }

        var text = s[start..pos].Trim(" \t\r\n"u8);
        if (text.IsEmpty || pos >= s.Length)
        {
            return false;
        }

        if (!(text.Length == 4 && System.Text.Ascii.EqualsIgnoreCase(text, "NULL"u8)))
        {
            Commit(col, text);
        }

        return true;
    }

    private Span<byte> Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(length);
        }

        return _scratch.AsSpan(0, length);
    }

    public void Dispose()
    {
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }
}

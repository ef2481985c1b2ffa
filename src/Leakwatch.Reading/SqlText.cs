using System.Text;

namespace Leakwatch.Reading;

/// <summary>Small lexical steps over a SQL statement's bytes: blanks and comments, keywords, identifiers.</summary>
internal static class SqlText
{
    public static void SkipBlank(ReadOnlySpan<byte> s, ref int pos)
    {
        while (pos < s.Length)
        {
            var c = s[pos];
            if (c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                pos++;
            }
            else if (c == (byte)'-' && pos + 1 < s.Length && s[pos + 1] == (byte)'-')
            {
                var nl = s[pos..].IndexOf((byte)'\n');
                pos = nl < 0 ? s.Length : pos + nl + 1;
            }
            else if (c == (byte)'/' && pos + 1 < s.Length && s[pos + 1] == (byte)'*')
            {
                var end = s[(pos + 2)..].IndexOf("*/"u8);
                pos = end < 0 ? s.Length : pos + 2 + end + 2;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Consumes <paramref name="word"/> (ASCII, upper case) when it is the next word, ignoring case.</summary>
    public static bool Keyword(ReadOnlySpan<byte> s, ref int pos, ReadOnlySpan<byte> word)
    {
        var p = pos;
        SkipBlank(s, ref p);
        if (s.Length - p < word.Length || !Ascii.EqualsIgnoreCase(s.Slice(p, word.Length), word))
        {
            return false;
        }

        if (p + word.Length < s.Length && IsIdentifierByte(s[p + word.Length]))
        {
            return false;
        }

        pos = p + word.Length;
        return true;
    }

    /// <summary>A possibly qualified, possibly quoted name (<c>`db`.`t`</c>, <c>public.t</c>, <c>"T"</c>);
    /// returns its last part, unquoted.</summary>
    public static string? Name(ReadOnlySpan<byte> s, ref int pos)
    {
        string? last = null;
        while (true)
        {
            SkipBlank(s, ref pos);
            var part = NamePart(s, ref pos);
            if (part is null)
            {
                return last;
            }

            last = part;
            if (pos < s.Length && s[pos] == (byte)'.')
            {
                pos++;
                continue;
            }

            return last;
        }
    }

    private static string? NamePart(ReadOnlySpan<byte> s, ref int pos)
    {
        if (pos >= s.Length)
        {
            return null;
        }

        var c = s[pos];
        if (c is (byte)'`' or (byte)'"')
        {
            var close = s[(pos + 1)..].IndexOf(c);
            if (close < 0)
            {
                return null;
            }

            var name = Encoding.UTF8.GetString(s.Slice(pos + 1, close));
            pos += close + 2;
            return name;
        }

        var start = pos;
        while (pos < s.Length && IsIdentifierByte(s[pos]))
        {
            pos++;
        }

        return pos > start ? Encoding.UTF8.GetString(s[start..pos]) : null;
    }

    /// <summary>A parenthesised, comma-separated list of names, as after <c>INSERT INTO t</c> or <c>COPY t</c>.</summary>
    public static List<string>? NameList(ReadOnlySpan<byte> s, ref int pos)
    {
        var p = pos;
        SkipBlank(s, ref p);
        if (p >= s.Length || s[p] != (byte)'(')
        {
            return null;
        }

        p++;
        var names = new List<string>();
        while (true)
        {
            var name = Name(s, ref p);
            SkipBlank(s, ref p);
            if (name is null || p >= s.Length)
            {
                return null;
            }

            names.Add(name);
            if (s[p] == (byte)')')
            {
                pos = p + 1;
                return names;
            }

            if (s[p] != (byte)',')
            {
                return null;
            }

            p++;
        }
    }

    public static bool IsIdentifierByte(byte c) =>
        c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'_' or (byte)'$' or >= 0x80;
}

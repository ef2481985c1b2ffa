using Leakwatch.Core;

namespace Leakwatch.Reading;

/// <summary>Heuristics run once per file on a sample of its first rows (allocations are fine here).</summary>
internal static class Sniffer
{
    internal const int DelimiterSampleLines = 50;
    internal const int RoleSampleRows = 200;

    /// <summary>Candidates in order of preference; on (near) ties the earlier wins, so ':' (timestamps) comes last.</summary>
    private static readonly char[] Candidates = [',', ';', '\t', '|', ':'];

    /// <summary>Picks the candidate whose per-line field count (quotes respected) is most consistent and &gt; 1;
    /// null when none splits the lines.</summary>
    public static char? SniffDelimiter(IReadOnlyList<string> lines)
    {
        char? best = null;
        var bestScore = 0.0;
        foreach (var c in Candidates)
        {
            var counts = new Dictionary<int, int>();
            foreach (var line in lines)
            {
                var n = CountFields(line, c);
                counts[n] = counts.GetValueOrDefault(n) + 1;
            }

            var mode = 0;
            var modeCount = 0;
            foreach (var (fields, count) in counts)
            {
                if (count > modeCount || (count == modeCount && fields > mode))
                {
                    mode = fields;
                    modeCount = count;
                }
            }

            if (mode <= 1)
            {
                continue;
            }

            var score = (double)modeCount / lines.Count;
            if (score > bestScore + 0.1)
            {
                best = c;
                bestScore = score;
            }
        }

        return best;
    }

    private static int CountFields(string line, char delimiter)
    {
        var fields = 1;
        var quoted = false;
        foreach (var ch in line)
        {
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == delimiter && !quoted)
            {
                fields++;
            }
        }

        return fields;
    }

    /// <summary>A header if most values are known column names, or if it has no data-looking values while
    /// later rows do.</summary>
    public static bool LooksLikeHeader(string[] first, IReadOnlyList<string[]> rest)
    {
        var known = 0;
        var nonEmpty = 0;
        foreach (var v in first)
        {
            if (v.Length == 0)
            {
                continue;
            }

            nonEmpty++;
            if (ColumnRoles.FromName(v) != FieldRole.Other)
            {
                known++;
            }
        }

        if (known > 0 && known * 2 >= nonEmpty)
        {
            return true;
        }

        foreach (var v in first)
        {
            if (IsDataLike(v))
            {
                return false;
            }
        }

        var width = 0;
        foreach (var r in rest)
        {
            width = Math.Max(width, r.Length);
        }

        for (var c = 0; c < width; c++)
        {
            if (ContentRole(rest, c) is FieldRole.Email or FieldRole.Phone or FieldRole.BirthDate)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDataLike(string v) => IsEmailLike(v) || IsPhoneLike(v) || IsDateLike(v);

    /// <summary>Role of column <paramref name="column"/> from its values: the class matched by more than half of
    /// the non-empty values, else Other.</summary>
    public static FieldRole ContentRole(IReadOnlyList<string[]> rows, int column)
    {
        int nonEmpty = 0, email = 0, phone = 0, date = 0, gender = 0;
        foreach (var r in rows)
        {
            if (column >= r.Length || r[column].Length == 0)
            {
                continue;
            }

            var v = r[column];
            nonEmpty++;
            if (IsEmailLike(v))
            {
                email++;
            }
            else if (IsPhoneLike(v))
            {
                phone++;
            }
            else if (IsDateLike(v))
            {
                date++;
            }
            else if (IsGenderLike(v))
            {
                gender++;
            }
        }

        if (nonEmpty == 0)
        {
            return FieldRole.Other;
        }

        if (email * 2 > nonEmpty)
        {
            return FieldRole.Email;
        }

        if (phone * 2 > nonEmpty)
        {
            return FieldRole.Phone;
        }

        if (date * 2 > nonEmpty)
        {
            return FieldRole.BirthDate;
        }

        return gender * 2 > nonEmpty ? FieldRole.Gender : FieldRole.Other;
    }

    /// <summary>One '@' with a non-empty local part, a dot in the domain after it, no spaces or separators.</summary>
    public static bool IsEmailLike(ReadOnlySpan<char> v)
    {
        var at = v.IndexOf('@');
        if (at <= 0 || at != v.LastIndexOf('@') || v.IndexOfAny(" \t,;:|\"<>") >= 0)
        {
            return false;
        }

        var dot = v[(at + 1)..].LastIndexOf('.');
        return dot > 0 && dot < v.Length - at - 2;
    }

    /// <summary>7–15 digits, optional leading '+', separators space - . ( ) /.</summary>
    public static bool IsPhoneLike(ReadOnlySpan<char> v)
    {
        var digits = 0;
        for (var i = 0; i < v.Length; i++)
        {
            var c = v[i];
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c == '+' && i == 0)
            {
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/'))
            {
                return false;
            }
        }

        return digits is >= 7 and <= 15;
    }

    /// <summary>Three numeric parts separated by one of - / . with a 4-digit year first or last
    /// (1990-02-03, 3/2/1990, 03.02.1990), optionally followed by a time after ' ' or 'T'.</summary>
    public static bool IsDateLike(ReadOnlySpan<char> v)
    {
        var cut = v.IndexOfAny(' ', 'T');
        if (cut > 0)
        {
            v = v[..cut];
        }

        if (v.Length is < 6 or > 10)
        {
            return false;
        }

        var sep = v.IndexOfAny("-/.");
        if (sep <= 0)
        {
            return false;
        }

        var s = v[sep];
        Span<Range> parts = stackalloc Range[4];
        if (v.Split(parts, s) != 3)
        {
            return false;
        }

        Span<int> lengths = stackalloc int[3];
        for (var i = 0; i < 3; i++)
        {
            var p = v[parts[i]];
            if (p.Length is 0 or > 4 || p.ContainsAnyExcept("0123456789"))
            {
                return false;
            }

            lengths[i] = p.Length;
        }

        return (lengths[0] == 4 && lengths[1] <= 2 && lengths[2] <= 2)
            || (lengths[2] == 4 && lengths[0] <= 2 && lengths[1] <= 2);
    }

    public static bool IsGenderLike(ReadOnlySpan<char> v) =>
        v.Equals("m", StringComparison.OrdinalIgnoreCase) || v.Equals("f", StringComparison.OrdinalIgnoreCase)
        || v.Equals("male", StringComparison.OrdinalIgnoreCase) || v.Equals("female", StringComparison.OrdinalIgnoreCase);
}

namespace Leakwatch.Reading;

/// <summary>Column names from a <c>CREATE TABLE</c> statement, in order; keys and constraints are not columns.</summary>
internal static class SqlCreateTable
{
    private static readonly byte[][] NotColumns =
    [
        "PRIMARY"u8.ToArray(), "KEY"u8.ToArray(), "UNIQUE"u8.ToArray(), "INDEX"u8.ToArray(),
        "CONSTRAINT"u8.ToArray(), "FOREIGN"u8.ToArray(), "FULLTEXT"u8.ToArray(), "SPATIAL"u8.ToArray(),
        "CHECK"u8.ToArray(), "EXCLUDE"u8.ToArray(), "PERIOD"u8.ToArray(), "LIKE"u8.ToArray(),
    ];

    /// <summary>Parses from just after <c>CREATE</c>; null when this is not a table with a column list.</summary>
    public static (string Table, List<string> Columns)? Parse(ReadOnlySpan<byte> s, int pos, bool backslashEscapes)
    {
        _ = SqlText.Keyword(s, ref pos, "TEMPORARY"u8) || SqlText.Keyword(s, ref pos, "UNLOGGED"u8);
        if (!SqlText.Keyword(s, ref pos, "TABLE"u8))
        {
            return null;
        }

        if (SqlText.Keyword(s, ref pos, "IF"u8))
        {
            _ = SqlText.Keyword(s, ref pos, "NOT"u8) && SqlText.Keyword(s, ref pos, "EXISTS"u8);
        }

        var table = SqlText.Name(s, ref pos);
        SqlText.SkipBlank(s, ref pos);
        if (table is null || pos >= s.Length || s[pos] != (byte)'(')
        {
            return null;
        }

        pos++;
        var columns = new List<string>();
        while (pos < s.Length)
        {
            if (!IsConstraint(s, pos) && SqlText.Name(s, ref pos) is { } column)
            {
                columns.Add(column);
            }

            if (!SkipItem(s, ref pos, backslashEscapes))
            {
                break;
            }
        }

        return (table, columns);
    }

    private static bool IsConstraint(ReadOnlySpan<byte> s, int pos)
    {
        foreach (var word in NotColumns)
        {
            var p = pos;
            if (SqlText.Keyword(s, ref p, word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Moves past the current item's ',' (true) or the list's closing ')' (false).</summary>
    private static bool SkipItem(ReadOnlySpan<byte> s, ref int pos, bool backslashEscapes)
    {
        var state = new SqlQuoteState();
        var depth = 0;
        while (pos < s.Length)
        {
            var c = s[pos];
            var wasPlain = state.Quote == 0 && !state.LineComment && !state.BlockComment;
            var step = state.Step(c, pos + 1 < s.Length ? s[pos + 1] : (byte)0, backslashEscapes);
            pos += Math.Max(step, 1);
            if (!wasPlain)
            {
                continue;
            }

            if (c == (byte)'(')
            {
                depth++;
            }
            else if (c == (byte)')' && depth-- == 0)
            {
                return false;
            }
            else if (c == (byte)',' && depth == 0)
            {
                return true;
            }
        }

        return false;
    }
}

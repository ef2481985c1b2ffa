using System.Text;

namespace Leakwatch.Reading;

/// <summary>The <c>(…),(…)</c> list of one INSERT statement, delivered row by row; a malformed tuple is a bad row
/// and parsing resumes after its closing parenthesis.</summary>
internal readonly struct SqlTupleParser(SqlFieldWriter writer, IDumpRowSink sink, string file, int[] perm,
    bool backslashEscapes)
{
    /// <param name="line">The line of the statement's first byte; tuples count theirs from it.</param>
    public void Tuples(ReadOnlySpan<byte> s, int pos, long line, CancellationToken ct)
    {
        var counted = 0;
        var rows = 0;
        while (true)
        {
            SqlText.SkipBlank(s, ref pos);
            if (pos >= s.Length)
            {
                return;
            }

            line += System.MemoryExtensions.Count(s[counted..pos], (byte)'\n');
            counted = pos;
            if (s[pos] != (byte)'(')
            {
                sink.OnProblem(new RowProblem(file, line, "malformed VALUES list: expected '('; rest of statement skipped"));
                return;
            }

            var end = Tuple(s, pos, line);
            if (end < 0)
            {
                sink.OnProblem(new RowProblem(file, line, "malformed SQL tuple"));
                end = SkipTuple(s, pos);
                if (end < 0)
                {
                    return;
                }
            }

            pos = end;
            SqlText.SkipBlank(s, ref pos);
            if (pos < s.Length && s[pos] == (byte)',')
            {
                pos++;
            }

            if ((++rows & 0xFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <returns>The position after the tuple's ')', or -1 when it does not parse.</returns>
    private int Tuple(ReadOnlySpan<byte> s, int start, long line)
    {
        var row = writer.Row;
        row.Begin(line);
        var pos = start + 1;
        var fields = 0;
        SqlText.SkipBlank(s, ref pos);
        if (pos < s.Length && s[pos] == (byte)')')
        {
            pos++;
        }
        else
        {
            while (true)
            {
                SqlText.SkipBlank(s, ref pos);
                var col = fields < perm.Length ? perm[fields] : -1;
                if (!writer.Value(s, ref pos, col, backslashEscapes))
                {
                    return -1;
                }

                fields++;
                SqlText.SkipBlank(s, ref pos);
                if (pos >= s.Length || s[pos] is not ((byte)',' or (byte)')'))
                {
                    return -1;
                }

                if (s[pos++] == (byte)')')
                {
                    break;
                }
            }
        }

        if (fields != perm.Length)
        {
            sink.OnProblem(new RowProblem(file, line, $"SQL tuple has {fields} values for {perm.Length} columns"));
            return pos;
        }

        var raw = s[start..pos];
        row.SetRawLength(Encoding.UTF8.GetChars(raw, row.RawBuffer(raw.Length)));
        sink.OnRow(row);
        return pos;
    }

    /// <returns>The position after the ')' closing the tuple that opens at <paramref name="start"/>, or -1.</returns>
    private int SkipTuple(ReadOnlySpan<byte> s, int start)
    {
        var state = new SqlQuoteState();
        var depth = 0;
        var pos = start;
        while (pos < s.Length)
        {
            var c = s[pos];
            var plain = state.Quote == 0 && !state.LineComment && !state.BlockComment;
            pos += Math.Max(1, state.Step(c, pos + 1 < s.Length ? s[pos + 1] : (byte)0, backslashEscapes));
            if (plain && c == (byte)'(')
            {
                depth++;
            }
            else if (plain && c == (byte)')' && --depth == 0)
            {
                return pos;
            }
        }

        return -1;
    }
}

using System.Buffers;

namespace Leakwatch.Reading;

/// <summary>Cuts a SQL dump into statements (up to an unquoted ';', quotes, identifiers and comments respected)
/// and, after a <c>COPY … FROM stdin</c>, into data lines. Each span is valid until the next call.</summary>
internal sealed class SqlStatementSource(ByteWindow window, long maxStatementBytes) : IDisposable
{
    private static readonly SearchValues<byte> Plain = SearchValues.Create("'\"`;-/"u8);

    private readonly ByteWindow _window = window;
    private int _consumedTo;

    /// <summary>MySQL reads a backslash in a string literal as an escape; PostgreSQL does not once
    /// standard_conforming_strings is on (the default pg_dump sets).</summary>
    public bool BackslashEscapes { get; set; } = true;

    /// <summary>1-based line where the last returned statement or line starts.</summary>
    public long Line { get; private set; }

    /// <summary>The next statement without its ';' (leading comments included), or false at the end. A statement
    /// longer than the limit is skipped to the end of its line and reported through <paramref name="tooLong"/>.</summary>
    public bool NextStatement(out ReadOnlySpan<byte> statement, out bool tooLong)
    {
        _window.Advance(_consumedTo);
        SkipBlank();
        Line = _window.Line;
        tooLong = false;
        var state = new SqlQuoteState();
        var pos = _window.Start;
        while (true)
        {
            var end = Scan(ref state, ref pos);
            if (end >= 0)
            {
                statement = _window.Data[_window.Start..end];
                _consumedTo = end + 1;
                return true;
            }

            if (pos - _window.Start > maxStatementBytes)
            {
                tooLong = true;
                statement = default;
                SkipToLineEnd();
                return true;
            }

            var more = _window.Fill(out var shift);
            pos -= shift;
            if (!more)
            {
                // At the end the last bytes are seen whole: a final ';' with nothing after it still ends the statement.
                var last = _window.Eof ? Scan(ref state, ref pos) : -1;
                var stop = last >= 0 ? last : _window.End;
                statement = _window.Data[_window.Start..stop];
                _consumedTo = last >= 0 ? last + 1 : _window.End;
                return last >= 0 || !statement.Trim(" \t\r\n"u8).IsEmpty;
            }
        }
    }

    /// <summary>The next line (without its line break), or false at the end of input.</summary>
    public bool NextLine(out ReadOnlySpan<byte> line)
    {
        _window.Advance(_consumedTo);
        Line = _window.Line;
        var pos = _window.Start;
        while (true)
        {
            var nl = _window.Data[pos..].IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = TrimCr(_window.Data[_window.Start..(pos + nl)]);
                _consumedTo = pos + nl + 1;
                return true;
            }

            pos = _window.End;
            var more = _window.Fill(out var shift);
            pos -= shift;
            if (!more)
            {
                line = TrimCr(_window.Data[_window.Start.._window.End]);
                _consumedTo = _window.End;
                return !line.IsEmpty;
            }

            pos -= shift;
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void SkipBlank()
    {
        while (true)
        {
            var data = _window.Data[_window.Start..];
            var first = data.IndexOfAnyExcept(" \t\r\n"u8);
            if (first >= 0)
            {
                _window.Advance(_window.Start + first);
                return;
            }

            _window.Advance(_window.End);
            if (!_window.Fill(out _))
            {
                return;
            }
        }
    }

    private void SkipToLineEnd()
    {
        while (true)
        {
            var nl = _window.Data[_window.Start..].IndexOf((byte)'\n');
            if (nl >= 0)
            {
                _consumedTo = _window.Start + nl + 1;
                return;
            }

            _window.Advance(_window.End);
            if (!_window.Fill(out _))
            {
                _consumedTo = _window.End;
                return;
            }
        }
    }

    /// <returns>The position of the statement's ';', or -1 when the window ends first (then
    /// <paramref name="pos"/> is where to resume after a refill).</returns>
    private int Scan(ref SqlQuoteState s, ref int pos)
    {
        var data = _window.Data;
        while (pos < data.Length)
        {
            var next = s.Quote != 0
                ? (BackslashEscapes ? data[pos..].IndexOfAny(s.Quote, (byte)'\\') : data[pos..].IndexOf(s.Quote))
                : s.LineComment ? data[pos..].IndexOf((byte)'\n')
                : s.BlockComment ? data[pos..].IndexOf((byte)'*')
                : data[pos..].IndexOfAny(Plain);
            if (next < 0)
            {
                pos = data.Length;
                return -1;
            }

            pos += next;
            if (pos + 1 >= data.Length && !_window.Eof)
            {
                // Two-byte tokens (an escape, '--', '/*', '*/', a doubled quote) must be seen whole.
                return -1;
            }

            var step = s.Step(data[pos], pos + 1 < data.Length ? data[pos + 1] : (byte)0, BackslashEscapes);
            if (step < 0)
            {
                return pos;
            }

            pos += step;
        }

        return -1;
    }

    public void Dispose() => _window.Dispose();
}

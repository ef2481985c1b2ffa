namespace Leakwatch.Reading;

/// <summary>
/// Reads a top-level JSON array of objects (<c>[ {…}, {…} ]</c>, pretty-printed or not) element by element
/// from a sliding window, so memory is bounded by the largest element, not the file.
/// Decisions: columns are the flattened paths of the first object (<see cref="JsonObjectFlattener"/>); an
/// element that is not an object, is not valid JSON, or is longer than 4 × MaxRowChars bytes is a bad row at
/// the line where it starts, and reading goes on with the next element.
/// </summary>
internal sealed class JsonArrayFileReader : IDisposable
{
    private readonly string _file;
    private readonly ByteWindow _window;
    private readonly long _maxElementBytes;

    private JsonArrayFileReader(string file, string? compression, Stream raw, ReaderOptions options)
    {
        _file = file;
        _window = new ByteWindow(raw, file, compression);
        _maxElementBytes = 4L * options.MaxRowChars;
    }

    public static void Read(string file, string? compression, Stream raw, ReaderOptions options, IDumpRowSink sink,
        BufferedDumpRow row, CancellationToken ct)
    {
        using var reader = new JsonArrayFileReader(file, compression, raw, options);
        using var flattener = new JsonObjectFlattener(row);
        reader.OpenArray();
        var started = false;
        long elements = 0;
        while (reader.NextElement(out var element, out var line, out var tooLong))
        {
            if (tooLong)
            {
                sink.OnProblem(new RowProblem(file, line, $"JSON element longer than {reader._maxElementBytes} bytes"));
                continue;
            }

            if (!started && element.Length > 0 && element[0] == (byte)'{')
            {
                started = true;
                var info = new DumpFileInfo(file, "json", null, false, compression);
                var map = flattener.Discover(file, line, element);
                sink.OnFileStart(info, map);
                row.StartFile(file, map);
            }

            if (!started)
            {
                sink.OnProblem(new RowProblem(file, line, "not a JSON object"));
                continue;
            }

            if (flattener.Fill(element, line) is { } problem)
            {
                sink.OnProblem(new RowProblem(file, line, problem));
            }
            else
            {
                sink.OnRow(row);
            }

            if ((++elements & 0xFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        if (!started)
        {
            throw new DumpFormatException(file, 0, "no data rows found: the JSON array holds no objects");
        }
    }

    private void OpenArray()
    {
        if (!SkipBlank() || _window.Data[_window.Start] != (byte)'[')
        {
            throw new DumpFormatException(_file, _window.Line, "expected a JSON array ('[')");
        }

        _window.Advance(_window.Start + 1);
    }

    /// <summary>The next element's bytes (valid until the next call), or false after the closing ']'.</summary>
    private bool NextElement(out ReadOnlySpan<byte> element, out long line, out bool tooLong)
    {
        element = default;
        tooLong = false;
        while (SkipBlank() && _window.Data[_window.Start] == (byte)',')
        {
            _window.Advance(_window.Start + 1);
        }

        line = _window.Line;
        if (_window.Start >= _window.End || _window.Data[_window.Start] == (byte)']')
        {
            return false;
        }

        var scan = new JsonElementScan();
        var pos = _window.Start;
        while (true)
        {
            var end = scan.Advance(_window.Data, ref pos);
            if (end >= 0)
            {
                // Advancing only moves the window's start: the bytes stay put until the next refill.
                element = tooLong ? default : _window.Data[_window.Start..end];
                _window.Advance(end);
                return true;
            }

            if (pos - _window.Start > _maxElementBytes)
            {
                // Too long to keep: scan on to its end, dropping what was scanned.
                tooLong = true;
                _window.Advance(pos);
            }

            if (!_window.Fill(out var shift))
            {
                // Unterminated: what is there goes to the parser, which reports it as invalid JSON.
                element = tooLong ? default : _window.Data[_window.Start.._window.End];
                _window.Advance(_window.End);
                return true;
            }

            pos -= shift;
        }
    }

    /// <returns>False at the end of the input.</returns>
    private bool SkipBlank()
    {
        while (true)
        {
            var first = _window.Data[_window.Start..].IndexOfAnyExcept(" \t\r\n"u8);
            if (first >= 0)
            {
                _window.Advance(_window.Start + first);
                return true;
            }

            _window.Advance(_window.End);
            if (!_window.Fill(out _))
            {
                return false;
            }
        }
    }

    public void Dispose() => _window.Dispose();
}

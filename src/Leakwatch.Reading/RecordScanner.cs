using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Leakwatch.Reading;

/// <summary>
/// Byte-level guard in front of the parsers. It splits the (decompressed) input into records — physical lines,
/// or for delimited files lines joined while a quote is open (quote parity, like Sep) — and passes clean records
/// through unchanged. Bad records are cut out and replaced by the same number of line breaks, so the parser's
/// line numbers stay those of the file; a <see cref="RowProblem"/> is queued for each:
/// <list type="bullet">
/// <item>longer than MaxRowChars chars → skipped; a line with no newline is discarded while streaming, so memory
///   stays bounded by about 3 × MaxRowChars bytes however long the line is;</item>
/// <item>a quoted field still open after <see cref="MaxRowLines"/> lines (or MaxRowChars) → only the line where
///   the quote opened is skipped and scanning restarts on the next line (unbalanced quote);</item>
/// <item>NUL bytes → skipped: such rows are usually binary garbage.</item>
/// <item>invalid UTF-8 → each bad sequence becomes U+FFFD and the record is delivered: a bad byte costs the field
///   it sits in (<see cref="DumpRow.IsDamaged"/>), not the row's other fields. Files in another encoding are
///   transcoded before this (<see cref="DumpEncoding"/>), so here it is the odd bad byte.</item>
/// </list>
/// Clean input takes a fast path: whole buffers are validated with vectorised span searches.
/// </summary>
internal sealed class RecordScanner : IDisposable
{
    internal const int MaxRowLines = 1000;
    private const int MinBuffer = 64 * 1024;
    private static readonly byte[] Newlines = CreateNewlines();

    private readonly Stream _src;
    private readonly string _file;
    private readonly string? _compression;
    private readonly int _maxRowChars;
    private readonly int _capBytes;
    private readonly string _tooLong;
    private readonly string _unbalanced;
    private byte[] _buf;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _started;
    private bool _skipping;
    private long _skipBreaks;
    private long _pendingNewlines;
    private long _slowBytes;
    private long _line = 1;
    private byte[] _repaired = [];

    public RecordScanner(Stream src, string file, string? compression, bool delimited, int maxRowChars)
    {
        _src = src;
        _file = file;
        _compression = compression;
        Delimited = delimited;
        _maxRowChars = Math.Max(16, maxRowChars);
        _capBytes = (int)Math.Min(int.MaxValue / 2, 3L * _maxRowChars + 8);
        _tooLong = $"row longer than {_maxRowChars} characters";
        _unbalanced = $"unbalanced quote: the quoted field opened on this line is not closed within {MaxRowLines} lines or {_maxRowChars} characters; line skipped";
        _buf = ArrayPool<byte>.Shared.Rent(MinBuffer);
    }

    /// <summary>Delimited mode: records join lines while a quote is open; a lone CR counts as a line break.
    /// Set after sniffing, before the first <see cref="NextClean"/>.</summary>
    public bool Delimited { get; set; }

    /// <summary>True once the underlying stream has been read to its end.</summary>
    public bool EndOfInputReached => _eof;

    /// <summary>Row problems found so far, in line order; the parser drains them as it passes their lines.</summary>
    public Queue<RowProblem> Problems { get; } = new();

    /// <summary>The file's line number where the run last returned by <see cref="NextClean"/> starts.</summary>
    public long RunStartLine { get; private set; } = 1;

    /// <summary>True when the run last returned by <see cref="NextClean"/> holds only records that are single
    /// lines (or placeholder line breaks), so it may be cut after any '\n'; false for one record that may
    /// span lines inside a quoted field.</summary>
    public bool RunIsLines { get; private set; }

    /// <summary>Number of lines completely scanned.</summary>
    public long LinesScanned => _line - 1;

    /// <summary>The first bytes of the input (BOM removed) without consuming them.</summary>
    public ReadOnlySpan<byte> PeekSample(int bytes)
    {
        EnsureStarted();
        while (_end - _start < bytes && !_eof)
        {
            Fill();
        }

        return _buf.AsSpan(_start, Math.Min(bytes, _end - _start));
    }

    /// <summary>The bytes read from the input and not yet returned (after <see cref="PeekSample"/>: the sample
    /// and whatever came with it).</summary>
    public ReadOnlySpan<byte> Buffered => _buf.AsSpan(_start, _end - _start);

    /// <summary>The next run of clean bytes (whole records, or placeholder newlines); empty at the end.</summary>
    public ReadOnlyMemory<byte> NextClean()
    {
        EnsureStarted();
        while (true)
        {
            if (_pendingNewlines > 0)
            {
                var n = (int)Math.Min(_pendingNewlines, Newlines.Length);
                _pendingNewlines -= n;
                Emit(n, lines: true);
                return Newlines.AsMemory(0, n);
            }

            var data = _buf.AsSpan(_start, _end - _start);
            if (_skipping)
            {
                SkipBadRecord(data);
                continue;
            }

            if (data.IsEmpty)
            {
                if (_eof)
                {
                    return ReadOnlyMemory<byte>.Empty;
                }

                Fill();
                continue;
            }

            if (_slowBytes <= 0)
            {
                var last = data.LastIndexOf((byte)'\n');
                if (last >= 0)
                {
                    var chunk = data[..(last + 1)];
                    if (IsClean(chunk))
                    {
                        var mem = _buf.AsMemory(_start, chunk.Length);
                        var chunkBreaks = CountBreaks(chunk);
                        _start += chunk.Length;
                        _line += chunkBreaks;
                        Emit(chunkBreaks, lines: true);
                        return mem;
                    }

                    _slowBytes = chunk.Length;
                }
            }

            var result = TakeRecord(data, out var length, out var breaks);
            switch (result)
            {
                case Take.NeedMore:
                    Fill();
                    continue;
                case Take.Good or Take.Repaired:
                    {
                        var mem = result == Take.Good ? _buf.AsMemory(_start, length) : _repaired.AsMemory(0, _repairedLength);
                        Consume(length, breaks);
                        Emit(breaks, lines: false);
                        return mem;
                    }
                case Take.Bad:
                    Consume(length, breaks);
                    _pendingNewlines = breaks;
                    continue;
                case Take.StartSkip:
                    Problems.Enqueue(new RowProblem(_file, _line, _tooLong));
                    _skipping = true;
                    _skipBreaks = 0;
                    continue;
            }
        }
    }

    /// <summary>Drops the rest of a record too long to keep, up to its newline, counting the lines it spans so
    /// they come out as placeholder newlines; refills when the record goes on past the buffer.</summary>
    private void SkipBadRecord(ReadOnlySpan<byte> data)
    {
        var nl = data.IndexOf((byte)'\n');
        var upto = nl >= 0 ? nl + 1 : data.Length;
        _skipBreaks += CountBreaks(data[..upto]);
        _start += upto;
        if (nl >= 0 || _eof)
        {
            _skipping = false;
            _line += _skipBreaks;
            _pendingNewlines = _skipBreaks;
            return;
        }

        _start = _end = 0;
        Fill();
    }

    public void Dispose()
    {
        var b = _buf;
        _buf = [];
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }

        if (_repaired.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_repaired);
            _repaired = [];
        }
    }

    private enum Take
    {
        NeedMore,
        Good,
        /// <summary>A good record whose invalid UTF-8 was replaced; its bytes are in <see cref="_repaired"/>.</summary>
        Repaired,
        Bad,
        StartSkip,
    }

    /// <summary>Line bookkeeping of what the parser sees: the returned runs, placeholders included, cover every
    /// line of the file in order.</summary>
    private void Emit(long breaks, bool lines)
    {
        RunStartLine = _emitLine;
        RunIsLines = lines;
        _emitLine += breaks;
    }

    private long _emitLine = 1;

    private void Consume(int length, long breaks)
    {
        _start += length;
        _line += breaks;
        _slowBytes -= length;
    }

    private Take TakeRecord(ReadOnlySpan<byte> data, out int length, out long breaks)
    {
        var pos = 0;
        var quotes = 0L;
        var lines = 0;
        while (true)
        {
            var nl = data[pos..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (_eof)
                {
                    if (Delimited && lines > 0 && ((quotes + data[pos..].Count((byte)'"')) & 1) != 0)
                    {
                        return Unbalanced(data, out length, out breaks);
                    }

                    return Check(data, out length, out breaks);
                }

                if (data.Length >= _capBytes)
                {
                    if (lines > 0)
                    {
                        return Unbalanced(data, out length, out breaks);
                    }

                    length = 0;
                    breaks = 0;
                    return Take.StartSkip;
                }

                length = 0;
                breaks = 0;
                return Take.NeedMore;
            }

            if (Delimited)
            {
                quotes += data.Slice(pos, nl).Count((byte)'"');
            }

            pos += nl + 1;
            lines++;
            if (!Delimited || (quotes & 1) == 0)
            {
                return Check(data[..pos], out length, out breaks);
            }

            if (lines > MaxRowLines || pos > _capBytes)
            {
                return Unbalanced(data, out length, out breaks);
            }
        }
    }

    private Take Unbalanced(ReadOnlySpan<byte> data, out int length, out long breaks)
    {
        var nl = data.IndexOf((byte)'\n');
        length = nl + 1;
        breaks = CountBreaks(data[..length]);
        Problems.Enqueue(new RowProblem(_file, _line, _unbalanced));
        return Take.Bad;
    }

    private Take Check(ReadOnlySpan<byte> record, out int length, out long breaks)
    {
        length = record.Length;
        breaks = CountBreaks(record);
        string? problem = null;
        if (record.Length > _maxRowChars && Encoding.UTF8.GetCharCount(record) > _maxRowChars + 2)
        {
            problem = _tooLong;
        }
        else if (record.Contains((byte)0))
        {
            problem = "NUL byte in row";
        }
        else if (!Utf8.IsValid(record))
        {
            Repair(record);
            return Take.Repaired;
        }

        if (problem is null)
        {
            return Take.Good;
        }

        Problems.Enqueue(new RowProblem(_file, _line, problem));
        return Take.Bad;
    }

    private int _repairedLength;

    /// <summary>Copies <paramref name="record"/> into <see cref="_repaired"/> with each invalid UTF-8 sequence
    /// replaced by U+FFFD (EF BF BD); line breaks stay where they were.</summary>
    private void Repair(ReadOnlySpan<byte> record)
    {
        if (_repaired.Length < record.Length * 3)
        {
            if (_repaired.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_repaired);
            }

            _repaired = ArrayPool<byte>.Shared.Rent(record.Length * 3);
        }

        var written = 0;
        var pos = 0;
        while (pos < record.Length)
        {
            var ascii = record[pos..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            var run = ascii < 0 ? record.Length - pos : ascii;
            record.Slice(pos, run).CopyTo(_repaired.AsSpan(written));
            written += run;
            pos += run;
            if (pos == record.Length)
            {
                break;
            }

            var status = System.Text.Rune.DecodeFromUtf8(record[pos..], out _, out var consumed);
            consumed = Math.Max(1, consumed);
            if (status == OperationStatus.Done)
            {
                record.Slice(pos, consumed).CopyTo(_repaired.AsSpan(written));
                written += consumed;
            }
            else
            {
                "\uFFFD"u8.CopyTo(_repaired.AsSpan(written));
                written += 3;
            }

            pos += consumed;
        }

        _repairedLength = written;
    }

    private bool IsClean(ReadOnlySpan<byte> chunk)
    {
        if (Delimited && !QuotesCloseOnTheirLine(chunk))
        {
            return false;
        }

        if (chunk.Contains((byte)0) || !Utf8.IsValid(chunk))
        {
            return false;
        }

        if (chunk.Length > _maxRowChars)
        {
            var rest = chunk;
            while (!rest.IsEmpty)
            {
                var nl = rest.IndexOf((byte)'\n');
                if (nl > _maxRowChars)
                {
                    return false;
                }

                rest = rest[(nl + 1)..];
            }
        }

        return true;
    }

    /// <summary>
    /// True when every quoted field in the chunk closes on the line it opened on: then no record spans
    /// lines and the chunk can go to Sep whole. Quotes pair up by parity ("" escapes included), so
    /// walking quote to quote and checking for a line break inside each pair is enough.
    /// </summary>
    private static bool QuotesCloseOnTheirLine(ReadOnlySpan<byte> chunk)
    {
        var pos = 0;
        while (true)
        {
            var open = chunk[pos..].IndexOf((byte)'"');
            if (open < 0)
            {
                return true;
            }

            open += pos;
            var close = chunk[(open + 1)..].IndexOf((byte)'"');
            if (close < 0)
            {
                return false;
            }

            close += open + 1;
            if (chunk[open..close].ContainsAny((byte)'\n', (byte)'\r'))
            {
                return false;
            }

            pos = close + 1;
        }
    }

    /// <summary>Line breaks as Sep counts them: LF, CRLF and (delimited only) a lone CR.</summary>
    internal long CountBreaks(ReadOnlySpan<byte> span)
    {
        long n = span.Count((byte)'\n');
        if (Delimited && span.Contains((byte)'\r'))
        {
            n += span.Count((byte)'\r') - span.Count("\r\n"u8);
        }

        return n;
    }

    private void EnsureStarted()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        while (_end < 4 && !_eof)
        {
            Fill();
        }

        var head = _buf.AsSpan(0, _end);
        // DumpEncoding has removed the file's byte-order mark; a second one would be text no reader expects.
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            _start = 3;
        }
    }

    private void Fill()
    {
        if (_eof)
        {
            return;
        }

        if (_start > 0)
        {
            _buf.AsSpan(_start, _end - _start).CopyTo(_buf);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buf.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buf.Length * 2, _capBytes + MinBuffer));
            _buf.AsSpan(0, _end).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
        }

        var want = _buf.Length - _end;
        int read;
        try
        {
            read = _src.ReadAtLeast(_buf.AsSpan(_end, want), want, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is not (DumpFormatException or OperationCanceledException or OutOfMemoryException))
        {
            var what = _compression is null ? $"read error ({e.Message})" : $"{_compression} stream is truncated or corrupt";
            throw new DumpFormatException(_file, LinesScanned, $"{what} after line {LinesScanned}");
        }

        _end += read;
        if (read < want)
        {
            _eof = true;
        }
    }

    private static byte[] CreateNewlines()
    {
        var a = new byte[4096];
        a.AsSpan().Fill((byte)'\n');
        return a;
    }
}

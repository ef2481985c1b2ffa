using System.Buffers;

namespace Leakwatch.Reading;

/// <summary>A sliding window over a stream in one pooled buffer, for readers whose records (SQL statements, JSON
/// array elements) may be longer than a line: the caller keeps a record's start fixed while it scans, and the
/// window compacts and grows only as far as the longest record, so memory is bounded by it, not by the file.</summary>
internal sealed class ByteWindow(Stream src, string file, string? compression) : IDisposable
{
    private byte[] _buf = ArrayPool<byte>.Shared.Rent(1 << 20);
    private long _lines = 1;

    public int Start { get; private set; }

    public int End { get; private set; }

    public bool Eof { get; private set; }

    public Span<byte> Data => _buf.AsSpan(0, End);

    /// <summary>1-based line number of the byte at <see cref="Start"/>.</summary>
    public long Line => _lines;

    /// <summary>Reads more bytes, keeping everything from <see cref="Start"/>; <paramref name="shift"/> is how far
    /// existing offsets moved down (subtract it from positions held by the caller). False when nothing more came.</summary>
    public bool Fill(out int shift)
    {
        shift = Start;
        if (Eof)
        {
            shift = 0;
            return false;
        }

        var kept = End - Start;
        if (kept > _buf.Length / 2)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(_buf.Length * 2);
            _buf.AsSpan(Start, kept).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
        }
        else if (Start > 0)
        {
            _buf.AsSpan(Start, kept).CopyTo(_buf);
        }

        Start = 0;
        End = kept;
        int n;
        try
        {
            n = src.ReadAtLeast(_buf.AsSpan(End), _buf.Length - End, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is not (DumpFormatException or OperationCanceledException or OutOfMemoryException))
        {
            var what = compression is null ? $"read error ({e.Message})" : $"{compression} stream is truncated or corrupt";
            throw new DumpFormatException(file, _lines, $"{what} after line {_lines}");
        }

        if (n <= 0)
        {
            Eof = true;
            return false;
        }

        End += n;
        return true;
    }

    /// <summary>Moves <see cref="Start"/> to <paramref name="position"/>, counting the line breaks passed.</summary>
    public void Advance(int position)
    {
        _lines += System.MemoryExtensions.Count(_buf.AsSpan(Start, position - Start), (byte)'\n');
        Start = position;
    }

    public void Dispose()
    {
        if (_buf.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = [];
        }
    }
}

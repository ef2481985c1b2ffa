using Leakwatch.Storage.Input;

namespace Leakwatch.Passwords;

/// <summary>
/// Reads byte lines (LF or CRLF; the CR is dropped) from a plain, gzip or zstd file (<see cref="CompressedInput"/>).
/// A line longer than the buffer is reported as too long and skipped whole.
/// </summary>
internal sealed class LineReader : IDisposable
{
    public const int MaxLineBytes = 1 << 16;

    private readonly CompressedInput _file;
    private readonly Stream _input;
    private readonly byte[] _buf = new byte[1 << 20];
    private int _start;
    private int _end;
    private bool _eof;

    public LineReader(string path)
    {
        _file = CompressedInput.Open(path);
        _input = _file.Stream;
    }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    public long CompressedPosition => _file.File.Position;

    public long CompressedLength => _file.File.Length;

    /// <summary>Next line without its terminator; valid until the next call. False at end of input.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        tooLong = false;
        var skipping = false;
        while (true)
        {
            var nl = _buf.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                var l = _buf.AsSpan(_start, nl);
                _start += nl + 1;
                if (skipping)
                {
                    line = default;
                    tooLong = true;
                }
                else
                {
                    line = TrimCr(l);
                    if (line.Length > MaxLineBytes)
                    {
                        line = default;
                        tooLong = true;
                    }
                }

                if (++LineNumber == 1)
                {
                    line = StripBom(line);
                }

                return true;
            }

            if (_eof)
            {
                if (_start == _end && !skipping)
                {
                    line = default;
                    return false;
                }

                var l = _buf.AsSpan(_start, _end - _start);
                _start = _end;
                tooLong = skipping || l.Length > MaxLineBytes;
                line = tooLong ? default : TrimCr(l);
                if (++LineNumber == 1)
                {
                    line = StripBom(line);
                }

                return true;
            }

            if (_end - _start == _buf.Length)
            {
                // No newline in a full buffer: drop it and skip to the end of this line.
                skipping = true;
                _start = _end = 0;
            }
            else if (_start > 0)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var n = _input.Read(_buf, _end, _buf.Length - _end);
            if (n == 0)
            {
                _eof = true;
            }

            _end += n;
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> l) => l.Length > 0 && l[^1] == '\r' ? l[..^1] : l;

    private static ReadOnlySpan<byte> StripBom(ReadOnlySpan<byte> l) => l.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? l[3..] : l;

    public void Dispose() => _file.Dispose();
}

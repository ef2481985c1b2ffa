using System.Text;
using Leakwatch.Storage.Input;

namespace Leakwatch.Reading;

/// <summary>
/// UTF-8 from a single-byte encoding whose lower half is ASCII (Windows-1252, Latin-1, …): ASCII runs are copied
/// as they are (vectorised search for the next high byte), each high byte becomes its 2- or 3-byte UTF-8 form from
/// a table. One pass, no decoder/encoder pair in between.
/// </summary>
internal sealed class SingleByteTranscodingStream : ReadOnlyInputStream
{
    private const int InputBuffer = 64 * 1024;

    private readonly Stream _source;
    /// <summary>For each high byte b, at (b - 0x80) * 4: the UTF-8 length, then its bytes.</summary>
    private readonly byte[] _high = new byte[128 * 4];
    private readonly byte[] _in = new byte[InputBuffer];
    private int _inPos;
    private int _inEnd;
    private bool _eof;
    /// <summary>The tail of one high byte's UTF-8 form that did not fit the caller's buffer.</summary>
    private readonly byte[] _carry = new byte[3];
    private int _carryPos;
    private int _carryEnd;

    public SingleByteTranscodingStream(Stream source, char[] table)
    {
        _source = source;
        Span<byte> utf8 = stackalloc byte[4];
        for (var b = 0x80; b < 0x100; b++)
        {
            var n = Encoding.UTF8.GetBytes([table[b]], utf8);
            _high[(b - 0x80) * 4] = (byte)n;
            utf8[..n].CopyTo(_high.AsSpan(((b - 0x80) * 4) + 1));
        }
    }

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (_carryPos < _carryEnd && written < buffer.Length)
        {
            buffer[written++] = _carry[_carryPos++];
        }

        while (written < buffer.Length)
        {
            if (_inPos == _inEnd)
            {
                // What is here already goes back first: a pipe's next bytes may be a while coming.
                if (_eof || written > 0)
                {
                    break;
                }

                _inPos = 0;
                _inEnd = _source.Read(_in);
                _eof = _inEnd == 0;
                if (_eof)
                {
                    break;
                }
            }

            var input = _in.AsSpan(_inPos, _inEnd - _inPos);
            var room = buffer.Length - written;
            var ascii = input[..Math.Min(input.Length, room)].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            if (ascii != 0)
            {
                var n = ascii < 0 ? Math.Min(input.Length, room) : ascii;
                input[..n].CopyTo(buffer[written..]);
                written += n;
                _inPos += n;
                continue;
            }

            var at = (input[0] - 0x80) * 4;
            var length = _high[at];
            var form = _high.AsSpan(at + 1, length);
            _inPos++;
            if (length <= room)
            {
                form.CopyTo(buffer[written..]);
                written += length;
            }
            else
            {
                form[..room].CopyTo(buffer[written..]);
                written += room;
                form[room..].CopyTo(_carry);
                _carryPos = 0;
                _carryEnd = length - room;
            }
        }

        return written;
    }
}

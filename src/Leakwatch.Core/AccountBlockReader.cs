using System.Buffers;

namespace Leakwatch.Core;

/// <summary>
/// Reads a stream of accounts one per line in big blocks of whole lines, so that blocks can be worked on in parallel
/// and each knows the number of its first line. A line longer than a block grows the next block; nothing else is
/// copied but the part line at a block's end.
/// </summary>
public sealed class AccountBlockReader(Stream stream, int blockSize = AccountBlockReader.DefaultBlockSize) : IDisposable
{
    public const int DefaultBlockSize = 1 << 20;

    private byte[] _carry = [];
    private int _carryLength;
    private bool _eof;
    private bool _first = true;
    private long _nextLine = 1;

    /// <summary>The next block; false at the end of the stream. The caller returns <see cref="AccountBlock.Buffer"/>
    /// to the shared pool.</summary>
    public bool TryRead(out AccountBlock block)
    {
        block = default;
        if (_eof && _carryLength == 0)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(blockSize, 2 * _carryLength));
        _carry.AsSpan(0, _carryLength).CopyTo(buffer);
        var length = _carryLength;
        int cut;
        while (true)
        {
            while (length < buffer.Length && !_eof)
            {
                var n = stream.Read(buffer, length, buffer.Length - length);
                if (n == 0)
                {
                    _eof = true;
                }

                length += n;
            }

            cut = AccountLines.WholeLines(buffer.AsSpan(0, length), _eof);
            if (cut > 0 || _eof)
            {
                break;
            }

            // One line longer than the block: read on into a bigger one.
            var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }

        _carryLength = length - cut;
        if (_carry.Length < _carryLength)
        {
            _carry = new byte[Math.Max(_carryLength, 4096)];
        }

        buffer.AsSpan(cut, _carryLength).CopyTo(_carry);
        if (cut == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        block = new AccountBlock(buffer, cut, _nextLine, _first);
        _first = false;
        _nextLine += buffer.AsSpan(0, cut).Count((byte)'\n');
        return true;
    }

    public void Dispose() => stream.Dispose();
}

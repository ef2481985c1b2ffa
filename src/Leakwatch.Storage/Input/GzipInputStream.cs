using System.IO.Compression;

namespace Leakwatch.Storage.Input;

/// <summary>
/// gzip decompression that notices an input cut short. .NET's <see cref="GZipStream"/> reads concatenated members
/// correctly, but when the data ends inside a member it just reports the end of the stream. So the end is proven
/// with a marker: a small gzip member is appended after the file's last byte, and it decodes to
/// <see cref="EndMarker"/> only if the file ended exactly at the end of a whole member. A cut file makes the
/// decoder read the appended member as the rest of the cut one, which fails or yields other bytes; either way
/// the read fails naming the file. The last <see cref="EndMarker"/>.Length decoded bytes are held back until the
/// end shows whether they are the marker, so the caller never sees it.
/// </summary>
internal sealed class GzipInputStream : ReadOnlyInputStream
{
    /// <summary>Reads shorter than the marker go through a buffer of this size.</summary>
    private const int SmallReadBuffer = 4096;

    private static readonly byte[] EndMarker =
    [
        0x00, 0xff, 0x4c, 0x57, 0x2d, 0x47, 0x5a, 0x2d, 0x45, 0x4e, 0x44, 0x00, 0xff, 0x9d, 0x31, 0xc4,
        0x7e, 0x08, 0xa3, 0x52, 0xe9, 0x16, 0xbb, 0x60, 0x0d, 0xf2, 0x85, 0x3a, 0xce, 0x47, 0x00, 0xff,
    ];

    private static readonly byte[] EndMember = Compress(EndMarker);

    private readonly string _path;
    private readonly GZipStream _gzip;
    private readonly byte[] _held = new byte[EndMarker.Length];
    private int _heldLength;
    private byte[]? _small;
    private int _smallStart;
    private int _smallEnd;
    private bool _ended;

    public GzipInputStream(Stream compressed, string path)
    {
        _path = path;
        _gzip = new GZipStream(new EndMemberAppendedStream(compressed, EndMember), CompressionMode.Decompress);
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_smallStart < _smallEnd || buffer.Length <= EndMarker.Length)
        {
            return ReadSmall(buffer);
        }

        while (!_ended)
        {
            // The held-back bytes go first; the new bytes are decoded right behind them.
            _held.AsSpan(0, _heldLength).CopyTo(buffer);
            var n = ReadDecoded(buffer[_heldLength..]);
            if (n == 0)
            {
                CheckEnd();
                return 0;
            }

            var total = _heldLength + n;
            if (total <= EndMarker.Length)
            {
                buffer[..total].CopyTo(_held);
                _heldLength = total;
                continue;
            }

            buffer.Slice(total - EndMarker.Length, EndMarker.Length).CopyTo(_held);
            _heldLength = EndMarker.Length;
            return total - EndMarker.Length;
        }

        return 0;
    }

    private int ReadSmall(Span<byte> buffer)
    {
        if (_smallStart == _smallEnd)
        {
            _small ??= new byte[SmallReadBuffer];
            _smallStart = 0;
            _smallEnd = 0;
            var n = Read(_small.AsSpan());
            if (n == 0)
            {
                return 0;
            }

            _smallEnd = n;
        }

        var count = Math.Min(buffer.Length, _smallEnd - _smallStart);
        _small.AsSpan(_smallStart, count).CopyTo(buffer);
        _smallStart += count;
        return count;
    }

    private int ReadDecoded(Span<byte> buffer)
    {
        try
        {
            return _gzip.Read(buffer);
        }
        catch (InvalidDataException)
        {
            throw Truncated();
        }
    }

    private void CheckEnd()
    {
        _ended = true;
        if (!_held.AsSpan(0, _heldLength).SequenceEqual(EndMarker))
        {
            throw Truncated();
        }
    }

    private CompressedInputException Truncated() => new(_path, "gzip stream is truncated or corrupt");

    private static byte[] Compress(ReadOnlySpan<byte> content)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(content);
        }

        return ms.ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The compressed file's bytes, then the end member; leaves the file open.</summary>
    private sealed class EndMemberAppendedStream(Stream file, byte[] endMember) : ReadOnlyInputStream
    {
        private int _endOffset;

        public override int Read(Span<byte> buffer)
        {
            if (_endOffset == 0)
            {
                var n = file.Read(buffer);
                if (n > 0 || buffer.IsEmpty)
                {
                    return n;
                }
            }

            var count = Math.Min(buffer.Length, endMember.Length - _endOffset);
            endMember.AsSpan(_endOffset, count).CopyTo(buffer);
            _endOffset += count;
            return count;
        }
    }
}

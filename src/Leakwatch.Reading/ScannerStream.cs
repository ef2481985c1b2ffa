namespace Leakwatch.Reading;

/// <summary>Read-only stream over a <see cref="RecordScanner"/>'s clean output, for Sep.</summary>
internal sealed class ScannerStream(RecordScanner scanner) : Stream
{
    private ReadOnlyMemory<byte> _pending;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_pending.IsEmpty)
        {
            _pending = scanner.NextClean();
            if (_pending.IsEmpty)
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _pending.Length);
        _pending.Span[..n].CopyTo(buffer);
        _pending = _pending[n..];
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using Leakwatch.Storage.Input;

namespace Leakwatch.Reading;

/// <summary>Read-only stream over a <see cref="RecordScanner"/>'s clean output, for Sep.</summary>
internal sealed class ScannerStream(RecordScanner scanner) : ReadOnlyInputStream
{
    private ReadOnlyMemory<byte> _pending;

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
}

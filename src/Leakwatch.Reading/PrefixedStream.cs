using Leakwatch.Storage.Input;

namespace Leakwatch.Reading;

/// <summary>A read-only stream of some bytes already read, then the rest of another stream (not owned).</summary>
internal sealed class PrefixedStream(byte[] prefix, Stream rest) : ReadOnlyInputStream
{
    private int _prefixPos;

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPos < prefix.Length)
        {
            var n = Math.Min(buffer.Length, prefix.Length - _prefixPos);
            prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
            return n;
        }

        return rest.Read(buffer);
    }
}

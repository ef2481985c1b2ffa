namespace Leakwatch.Privacy.Buckets;

/// <summary>Draws randomness from a refilled buffer: a nonce per entry without a system call per nonce. One per thread.</summary>
public sealed class BufferedPrivateRandom(IPrivateRandom source) : IPrivateRandom
{
    private readonly byte[] _buffer = new byte[4096];
    private int _at = 4096;

    public void Fill(Span<byte> destination)
    {
        if (destination.Length > _buffer.Length)
        {
            source.Fill(destination);
            return;
        }

        if (_at + destination.Length > _buffer.Length)
        {
            source.Fill(_buffer);
            _at = 0;
        }

        _buffer.AsSpan(_at, destination.Length).CopyTo(destination);
        _at += destination.Length;
    }

    public int Next(int maxExclusive) => source.Next(maxExclusive);
}

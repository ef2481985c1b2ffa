namespace Leakwatch.Storage.Input;

/// <summary>
/// An input that is a pipe rather than a file (standard input): its compression is told by magic bytes as
/// <see cref="CompressedInput"/> tells a file's, but it is read once, front to back, and never sought, so nothing
/// can know its size or read it twice.
/// </summary>
public static class PipedInput
{
    private const int MagicBytes = 6;

    /// <summary>The decompressed bytes of <paramref name="pipe"/> (not owned); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="CompressedInputException">The bytes start an archive.</exception>
    public static Stream Open(Stream pipe, string name, out InputCompression compression)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        var magic = new byte[MagicBytes];
        var n = pipe.ReadAtLeast(magic, MagicBytes, throwOnEndOfStream: false);
        compression = CompressedInput.Sniff(name, magic.AsSpan(0, n));
        Stream plain = new MagicThenRest(magic, n, pipe);
        return compression switch
        {
            InputCompression.Gzip => new GzipInputStream(plain, name),
            InputCompression.Zstd => new ZstdInputStream(plain, name),
            _ => plain,
        };
    }

    /// <summary>The bytes read to sniff, then the rest of the pipe.</summary>
    private sealed class MagicThenRest(byte[] magic, int length, Stream rest) : ReadOnlyInputStream
    {
        private int _pos;

        public override int Read(Span<byte> buffer)
        {
            if (_pos < length)
            {
                var n = Math.Min(buffer.Length, length - _pos);
                magic.AsSpan(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }

            return rest.Read(buffer);
        }
    }
}

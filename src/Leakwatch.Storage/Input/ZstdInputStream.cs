namespace Leakwatch.Storage.Input;

/// <summary>zstd decompression whose failures (a frame cut short, corrupt data) say which file, in one line. The
/// decoder reads concatenated frames, and throws on a cut frame by itself.</summary>
internal sealed class ZstdInputStream(Stream compressed, string path) : ReadOnlyInputStream
{
    private readonly ZstdSharp.DecompressionStream _zstd = new(compressed, leaveOpen: true);

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _zstd.Read(buffer);
        }
        catch (Exception e) when (e is EndOfStreamException or ZstdSharp.ZstdException or InvalidDataException)
        {
            throw new CompressedInputException(path, "zstd stream is truncated or corrupt");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _zstd.Dispose();
        }

        base.Dispose(disposing);
    }
}

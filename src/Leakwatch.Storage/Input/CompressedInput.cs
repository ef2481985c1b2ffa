namespace Leakwatch.Storage.Input;

/// <summary>
/// Opens an input file (a dump, a password list, a generated dump) for reading whatever its compression, told by
/// magic bytes, not by name: gzip (one member or several concatenated, as <c>cat a.gz b.gz</c> or bgzip make),
/// zstd, or plain. A compressed stream cut short or corrupt fails the read with a
/// <see cref="CompressedInputException"/>; an archive (zip, 7z, rar) is refused at open, since it holds files,
/// not one stream.
/// </summary>
public sealed class CompressedInput : IDisposable
{
    private const int MagicBytes = 6;

    private CompressedInput(string path, FileStream file, Stream stream, InputCompression compression)
    {
        Path = path;
        File = file;
        Stream = stream;
        Compression = compression;
    }

    public string Path { get; }

    /// <summary>The file itself, for progress: its position and length count compressed bytes.</summary>
    public FileStream File { get; }

    /// <summary>The decompressed bytes.</summary>
    public Stream Stream { get; }

    public InputCompression Compression { get; }

    /// <summary>"gzip" or "zstd" as messages say it; null for a plain file.</summary>
    public string? CompressionName => NameOf(Compression);

    /// <exception cref="CompressedInputException">The file is an archive.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static CompressedInput Open(string path, int bufferSize = 1 << 16)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[MagicBytes];
            magic = magic[..file.ReadAtLeast(magic, MagicBytes, throwOnEndOfStream: false)];
            file.Position = 0;
            var compression = Sniff(path, magic);
            Stream stream = compression switch
            {
                InputCompression.Gzip => new GzipInputStream(file, path),
                InputCompression.Zstd => new ZstdInputStream(file, path),
                _ => file,
            };
            return new CompressedInput(path, file, stream, compression);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public static string? NameOf(InputCompression compression) => compression switch
    {
        InputCompression.Gzip => "gzip",
        InputCompression.Zstd => "zstd",
        _ => null,
    };

    /// <summary>The compression <paramref name="magic"/> (a file's first bytes) names.</summary>
    /// <exception cref="CompressedInputException">The bytes start an archive.</exception>
    public static InputCompression Sniff(string path, ReadOnlySpan<byte> magic)
    {
        if (magic.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
        {
            return InputCompression.Gzip;
        }

        if (magic.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
        {
            return InputCompression.Zstd;
        }

        var archive = ArchiveName(magic);
        if (archive is not null)
        {
            var name = System.IO.Path.GetFileName(path);
            throw new CompressedInputException(path,
                $"a {archive.Value.Format} archive, which holds files rather than one stream; extract it first ({archive.Value.Extract} {name}) and read the extracted files");
        }

        return InputCompression.None;
    }

    private static (string Format, string Extract)? ArchiveName(ReadOnlySpan<byte> magic)
    {
        // Local file header, or the end record an empty or spanned zip starts with.
        if (magic.StartsWith("PK\x03\x04"u8) || magic.StartsWith("PK\x05\x06"u8) || magic.StartsWith("PK\x07\x08"u8))
        {
            return ("zip", "unzip");
        }

        if (magic.StartsWith((ReadOnlySpan<byte>)[(byte)'7', (byte)'z', 0xbc, 0xaf, 0x27, 0x1c]))
        {
            return ("7z", "7z x");
        }

        if (magic.StartsWith("Rar!\x1a\x07"u8))
        {
            return ("rar", "unrar x");
        }

        return null;
    }

    public void Dispose()
    {
        if (!ReferenceEquals(Stream, File))
        {
            Stream.Dispose();
        }

        File.Dispose();
    }
}

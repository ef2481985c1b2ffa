using Leakwatch.Storage.Input;

namespace Leakwatch.Reading;

/// <summary>An open dump file: decompression recognised, the byte guard in front, the first lines sampled.</summary>
internal sealed class DumpInput : IDisposable
{
    private const int SampleBytes = 64 * 1024;

    private readonly IDisposable _owner;
    private readonly Stream _text;

    private DumpInput(IDisposable owner, Stream text, string? compression, DumpEncoding encoding, RecordScanner scanner)
    {
        _owner = owner;
        _text = text;
        Compression = compression;
        Encoding = encoding;
        Scanner = scanner;
    }

    public RecordScanner Scanner { get; }

    public string? Compression { get; }

    /// <summary>The file's encoding, detected or forced; everything the scanner sees is UTF-8.</summary>
    public DumpEncoding Encoding { get; }

    public string SampleText { get; private set; } = "";

    public bool Json { get; private set; }

    /// <summary>A top-level JSON array of objects (<see cref="JsonArrayFileReader"/>).</summary>
    public bool JsonArray { get; private set; }

    /// <summary>A SQL dump (<see cref="SqlDumpReader"/>).</summary>
    public bool Sql { get; private set; }

    /// <summary>Stealer-log lines (<see cref="Ulp.UlpFileReader"/>), only when asked for.</summary>
    public bool Ulp { get; private set; }

    /// <summary>The whole decompressed input (BOM removed) as a plain stream, for readers whose records are not
    /// lines and so bypass the scanner's line guard; only before the scanner's first run.</summary>
    public Stream OpenRaw() => new PrefixedStream(Scanner.Buffered.ToArray(), _text);

    /// <param name="file">A path, or <see cref="DumpReader.StandardInput"/>.</param>
    /// <returns>null when the file is empty inside a directory (reported to <paramref name="onProblem"/>).</returns>
    public static DumpInput? Open(string file, ReaderOptions options, Action<RowProblem> onProblem, bool inDirectory)
    {
        var name = DumpReader.DisplayName(file);
        var (owner, decompressed, compression) = OpenDecompressed(file, name);
        DumpInput? result = null;
        RecordScanner? scanner = null;
        Stream? text = null;
        try
        {
            var encoding = DecodeHead(decompressed, name, compression, options, out var head);
            text = encoding.Decode(new PrefixedStream(head, decompressed));
            scanner = new RecordScanner(text, name, compression, delimited: true, options.MaxRowChars);
            var sample = scanner.PeekSample(SampleBytes);
            var first = sample.IndexOfAnyExcept(" \t\r\n"u8);
            if (first < 0 && scanner.EndOfInputReached)
            {
                if (!inDirectory)
                {
                    throw new DumpFormatException(name, 0, "file is empty");
                }

                onProblem(new RowProblem(name, 0, "file is empty"));
                return null;
            }

            var sampleText = System.Text.Encoding.UTF8.GetString(sample);
            if (!scanner.EndOfInputReached)
            {
                var cut = sampleText.LastIndexOf('\n');
                sampleText = cut >= 0 ? sampleText[..(cut + 1)] : sampleText;
            }

            var json = options.Format == DumpFormat.JsonLines
                || (options.Format == DumpFormat.Auto && first >= 0 && sample[first] == (byte)'{');
            var ulp = options.Format == DumpFormat.Ulp;
            if (json || ulp)
            {
                scanner.Delimited = false;
            }

            var sql = options.Format == DumpFormat.Sql
                || (options.Format == DumpFormat.Auto && SqlSniffer.LooksLikeSql(sample));
            var array = !sql && options.Format is DumpFormat.Auto or DumpFormat.JsonLines && first >= 0 && sample[first] == (byte)'[';
            result = new DumpInput(owner, text, compression, encoding, scanner)
            {
                SampleText = sampleText,
                Json = json && !sql,
                JsonArray = array,
                Sql = sql,
                Ulp = ulp,
            };
            return result;
        }
        finally
        {
            if (result is null)
            {
                scanner?.Dispose();
                text?.Dispose();
                owner.Dispose();
            }
        }
    }

    /// <summary>Reads the first bytes, detects (or takes the forced) encoding, and returns those bytes without
    /// their byte-order mark in <paramref name="head"/>: the input's start, to be read again before the rest.</summary>
    private static DumpEncoding DecodeHead(Stream decompressed, string name, string? compression, ReaderOptions options, out byte[] head)
    {
        var bytes = new byte[SampleBytes];
        int n;
        try
        {
            n = decompressed.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // Worded as the scanner words a failed read further in.
            var what = compression is null ? $"read error ({e.Message})" : $"{compression} stream is truncated or corrupt";
            throw new DumpFormatException(name, 0, $"{what} after line 0");
        }

        DumpEncoding encoding;
        if (options.Encoding is null)
        {
            encoding = DumpEncoding.Detect(bytes.AsSpan(0, n), wholeInput: n < bytes.Length);
        }
        else if (!DumpEncoding.TryParse(options.Encoding, out encoding))
        {
            throw new DumpFormatException(name, 0, $"unknown encoding '{options.Encoding}' (known: {DumpEncoding.KnownNames})");
        }

        var skip = encoding.PreambleLength(bytes.AsSpan(0, n), name);
        head = bytes.AsSpan(skip, n - skip).ToArray();
        return encoding;
    }

    private static (IDisposable Owner, Stream Decompressed, string? Compression) OpenDecompressed(string file, string name)
    {
        if (file == DumpReader.StandardInput)
        {
            var stdin = Console.OpenStandardInput();
            try
            {
                var stream = PipedInput.Open(stdin, name, out var compression);
                return (stdin, stream, CompressedInput.NameOf(compression));
            }
            catch (CompressedInputException e)
            {
                stdin.Dispose();
                throw new DumpFormatException(name, 0, e.Reason);
            }
        }

        var input = OpenCompressed(file);
        return (input, input.Stream, input.CompressionName);
    }

    private static CompressedInput OpenCompressed(string file)
    {
        try
        {
            return CompressedInput.Open(file);
        }
        catch (CompressedInputException e)
        {
            throw new DumpFormatException(file, 0, e.Reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DumpFormatException(file, 0, $"cannot open: {e.Message}");
        }
    }

    public void Dispose()
    {
        Scanner.Dispose();
        _text.Dispose();
        _owner.Dispose();
    }
}

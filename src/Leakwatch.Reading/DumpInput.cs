using System.Text;
using Leakwatch.Storage.Input;

namespace Leakwatch.Reading;

/// <summary>An open dump file: decompression recognised, the byte guard in front, the first lines sampled.</summary>
internal sealed class DumpInput : IDisposable
{
    private const int SampleBytes = 64 * 1024;

    private readonly CompressedInput _input;

    private DumpInput(CompressedInput input, RecordScanner scanner)
    {
        _input = input;
        Scanner = scanner;
    }

    public RecordScanner Scanner { get; }

    public string? Compression => _input.CompressionName;

    public string SampleText { get; private set; } = "";

    public bool Json { get; private set; }

    /// <summary>A top-level JSON array of objects (<see cref="JsonArrayFileReader"/>).</summary>
    public bool JsonArray { get; private set; }

    /// <summary>A SQL dump (<see cref="SqlDumpReader"/>).</summary>
    public bool Sql { get; private set; }

    /// <summary>The whole decompressed input (BOM removed) as a plain stream, for readers whose records are not
    /// lines and so bypass the scanner's line guard; only before the scanner's first run.</summary>
    public Stream OpenRaw() => new PrefixedStream(Scanner.Buffered.ToArray(), _input.Stream);

    /// <returns>null when the file is empty inside a directory (reported to <paramref name="onProblem"/>).</returns>
    public static DumpInput? Open(string file, ReaderOptions options, Action<RowProblem> onProblem, bool inDirectory)
    {
        var input = OpenCompressed(file);
        DumpInput? result = null;
        RecordScanner? scanner = null;
        try
        {
            scanner = new RecordScanner(input.Stream, file, input.CompressionName, delimited: true, options.MaxRowChars);
            var sample = scanner.PeekSample(SampleBytes);
            var first = sample.IndexOfAnyExcept(" \t\r\n"u8);
            if (first < 0 && scanner.EndOfInputReached)
            {
                if (!inDirectory)
                {
                    throw new DumpFormatException(file, 0, "file is empty");
                }

                onProblem(new RowProblem(file, 0, "file is empty"));
                return null;
            }

            var text = Encoding.UTF8.GetString(sample);
            if (!scanner.EndOfInputReached)
            {
                var cut = text.LastIndexOf('\n');
                text = cut >= 0 ? text[..(cut + 1)] : text;
            }

            var json = options.Format == DumpFormat.JsonLines
                || (options.Format == DumpFormat.Auto && first >= 0 && sample[first] == (byte)'{');
            if (json)
            {
                scanner.Delimited = false;
            }

            var sql = options.Format == DumpFormat.Sql
                || (options.Format == DumpFormat.Auto && SqlSniffer.LooksLikeSql(sample));
            var array = !sql && options.Format is DumpFormat.Auto or DumpFormat.JsonLines && first >= 0 && sample[first] == (byte)'[';
            result = new DumpInput(input, scanner) { SampleText = text, Json = json && !sql, JsonArray = array, Sql = sql };
            return result;
        }
        finally
        {
            if (result is null)
            {
                scanner?.Dispose();
                input.Dispose();
            }
        }
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
        _input.Dispose();
    }
}

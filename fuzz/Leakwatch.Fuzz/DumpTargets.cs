using Leakwatch.Core.Errors;
using Leakwatch.Reading;

namespace Leakwatch.Fuzz;

/// <summary>The dump readers through their public entry points, as <c>ingest</c> calls them on a file.</summary>
internal static class DumpTargets
{
    private static readonly ReaderOptions Auto = ReaderOptions.Default;
    private static readonly ReaderOptions Delimited = new() { Format = DumpFormat.Delimited };
    private static readonly ReaderOptions Json = new() { Format = DumpFormat.JsonLines };
    private static readonly ReaderOptions Sql = new() { Format = DumpFormat.Sql };

    /// <summary>Small chunks, so that even a fuzzer's short inputs are cut at several record boundaries.</summary>
    private static readonly ReaderOptions SmallChunks = new() { ParallelChunkBytes = 16 };

    private static readonly ReaderOptions UlpSmallChunks = new() { Format = DumpFormat.Ulp, ParallelChunkBytes = 16 };

    /// <summary>Only <see cref="LeakwatchException"/> (the readers' <see cref="DumpFormatException"/> derives from it)
    /// is a documented answer to a bad dump.</summary>
    public static bool IsBadInput(Exception e) => e is LeakwatchException;

    public static void ReadAuto(ReadOnlySpan<byte> input) => ReadSerial(input, Auto);

    public static void ReadDelimited(ReadOnlySpan<byte> input) => ReadSerial(input, Delimited);

    public static void ReadJson(ReadOnlySpan<byte> input) => ReadSerial(input, Json);

    public static void ReadSql(ReadOnlySpan<byte> input) => ReadSerial(input, Sql);

    /// <summary><see cref="DumpReader.ReadParallel"/> promises the serial reader's rows, values, line numbers,
    /// problems and fatal errors: any difference is a crash.</summary>
    public static void ReadParallel(ReadOnlySpan<byte> input) => SerialAgreesWithParallel(input, SmallChunks);

    /// <summary>Stealer-log lines (<c>--format ulp</c>): every line split by <c>UlpLineParser</c> (each layout,
    /// schemes, ports, android:// apps, separators in passwords and paths), read serially and in 16-byte chunks in
    /// parallel, which must agree row for row and problem for problem.</summary>
    public static void ReadUlp(ReadOnlySpan<byte> input) => SerialAgreesWithParallel(input, UlpSmallChunks);

    private static void SerialAgreesWithParallel(ReadOnlySpan<byte> input, ReaderOptions options)
    {
        var path = ScratchFile.Write("dump", input);
        var serial = new RowRecorder(keep: true);
        var serialError = Outcome(() => DumpReader.Read(path, options, serial));
        var parallel = new RowRecorder(keep: true);
        var parallelError = Outcome(() => DumpReader.ReadParallel(path, options, 1, parallel));
        if (!string.Equals(serialError, parallelError, StringComparison.Ordinal))
        {
            throw new OracleException($"serial read ended with [{serialError}], parallel with [{parallelError}]");
        }

        // After a fatal error the parallel parsers may have delivered more or fewer rows than the serial reader
        // got to; only a finished read must agree row for row.
        if (serialError is null)
        {
            var a = serial.Sorted();
            var b = parallel.Sorted();
            for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
            {
                var x = i < a.Count ? a[i] : "(none)";
                var y = i < b.Count ? b[i] : "(none)";
                if (!string.Equals(x, y, StringComparison.Ordinal))
                {
                    throw new OracleException($"serial and parallel reads differ at record {i}: [{x}] vs [{y}]");
                }
            }
        }
    }

    private static void ReadSerial(ReadOnlySpan<byte> input, ReaderOptions options)
    {
        var path = ScratchFile.Write("dump", input);
        DumpReader.Read(path, options, new RowRecorder(keep: false));
    }

    /// <summary>The bad-input message, or null when the read finished; anything else propagates as a crash.</summary>
    private static string? Outcome(Action read)
    {
        try
        {
            read();
            return null;
        }
        catch (LeakwatchException e)
        {
            return e.Message;
        }
    }
}

using BenchmarkDotNet.Attributes;
using Leakwatch.Core;
using Leakwatch.Reading;
using Leakwatch.Synthetic;

namespace Leakwatch.Benchmarks;

/// <summary>Dump reading alone (Sep + the row guard + column mapping), per row, on a generated CSV.</summary>
[MemoryDiagnoser]
public class ReaderBenchmarks
{
    private const int Rows = 200_000;
    private string _dir = "";
    private string _csv = "";
    private string _colon = "";
    private string _latin = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("lw-bench-reader-").FullName;
        _csv = Path.Combine(_dir, "dump.csv");
        _colon = Path.Combine(_dir, "dump.txt");
        DumpGenerator.Generate(new GeneratorOptions(Rows, 1, DumpShape.Csv), _csv);
        DumpGenerator.Generate(new GeneratorOptions(Rows, 2, DumpShape.Colon), _colon);

        // The same CSV in Windows-1252 with an accented name on every row: detection picks Windows-1252 and every
        // byte goes through the single-byte transcoder, against CsvWithHeader's zero-copy UTF-8.
        _latin = Path.Combine(_dir, "latin.csv");
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var lines = File.ReadAllLines(_csv);
        for (var i = 1; i < lines.Length; i++)
        {
            lines[i] += ",Renée";
        }

        lines[0] += ",nickname";
        File.WriteAllLines(_latin, lines, System.Text.Encoding.GetEncoding(1252));
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long CsvWithHeader() => Read(_csv, new ReaderOptions());

    [Benchmark(OperationsPerInvoke = Rows)]
    public long CsvInWindows1252() => Read(_latin, new ReaderOptions());

    [Benchmark(OperationsPerInvoke = Rows)]
    public long HeaderlessColon() => Read(_colon, new ReaderOptions
    {
        Columns = ["phone", "uid", "first_name", "last_name", "gender", "city", "country", "relationship", "employer", "email", "dob"],
    });

    private static long Read(string path, ReaderOptions options)
    {
        var sink = new TouchingSink();
        DumpReader.Read(path, options, sink);
        return sink.Chars;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, true);

    /// <summary>Touches the fields ingest uses, so the benchmark pays for column access as ingest does.</summary>
    private sealed class TouchingSink : IDumpRowSink
    {
        public long Chars;

        public void OnFileStart(DumpFileInfo file, ColumnMap map) { }

        public void OnRow(DumpRow row) =>
            Chars += row.Raw.Length + row.Get(FieldRole.Email).Length + row.Get(FieldRole.Phone).Length + row.Get(FieldRole.BirthDate).Length;

        public void OnProblem(RowProblem problem) { }
    }
}

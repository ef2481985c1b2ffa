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

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("lw-bench-reader-").FullName;
        _csv = Path.Combine(_dir, "dump.csv");
        _colon = Path.Combine(_dir, "dump.txt");
        DumpGenerator.Generate(new GeneratorOptions(Rows, 1, DumpShape.Csv), _csv);
        DumpGenerator.Generate(new GeneratorOptions(Rows, 2, DumpShape.Colon), _colon);
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long CsvWithHeader() => Read(_csv, new ReaderOptions());

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

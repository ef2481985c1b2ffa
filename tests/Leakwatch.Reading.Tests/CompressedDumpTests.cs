using System.IO.Compression;
using System.Text;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>Dumps read through the shared compressed-input opener: a gzip of several members is read whole (it
/// used to be reported as truncated), a cut one still fails naming the file and line, and archives are refused.</summary>
public sealed class CompressedDumpTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-reading-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class EmailSink : IDumpRowSink
    {
        public List<string> Emails { get; } = [];

        public List<long> Lines { get; } = [];

        public List<DumpFileInfo> Files { get; } = [];

        public void OnFileStart(DumpFileInfo file, ColumnMap map) => Files.Add(file);

        public void OnRow(DumpRow row)
        {
            Emails.Add(row[0].ToString());
            Lines.Add(row.LineNumber);
        }

        public void OnProblem(RowProblem problem) => throw new InvalidOperationException(problem.Message);
    }

    private static string Csv(int from, int count, bool header)
    {
        var sb = new StringBuilder(header ? "email,name\n" : "");
        for (var i = from; i < from + count; i++)
        {
            sb.Append("user").Append(i).Append("@example.com,Name ").Append(i).Append('\n');
        }

        return sb.ToString();
    }

    private static byte[] Gzip(string text)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(text));
        }

        return ms.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void MultiMemberGzip_AllRowsOfEveryMemberRead()
    {
        var path = Write("two.csv.gz", [.. Gzip(Csv(0, 3_000, header: true)), .. Gzip(Csv(3_000, 4_000, header: false))]);
        var sink = new EmailSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Equal("gzip", Assert.Single(sink.Files).Compression);
        Assert.Equal(7_000, sink.Emails.Count);
        Assert.Equal("user0@example.com", sink.Emails[0]);
        Assert.Equal("user3000@example.com", sink.Emails[3_000]);
        Assert.Equal("user6999@example.com", sink.Emails[^1]);
        Assert.Equal(7_001, sink.Lines[^1]);
    }

    [Fact]
    public void MultiMemberGzip_ParallelReadSeesEveryRow()
    {
        var path = Write("two.csv.gz", [.. Gzip(Csv(0, 30_000, header: true)), .. Gzip(Csv(30_000, 40_000, header: false))]);
        var sink = new CountingParallelSink();
        DumpReader.ReadParallel(path, ReaderOptions.Default, 2, sink);
        Assert.Equal(70_000, sink.Rows);
    }

    [Fact]
    public void SecondMemberCut_FailsNamingFileAndLine()
    {
        var second = Gzip(Csv(3_000, 40_000, header: false));
        var path = Write("cut.csv.gz", [.. Gzip(Csv(0, 3_000, header: true)), .. second[..(second.Length / 2)]]);
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, new EmailSink()));
        Assert.Equal(path, e.FileName);
        Assert.Contains($"gzip stream is truncated or corrupt after line {e.LineNumber}", e.Message);
        Assert.True(e.LineNumber > 3_000);
    }

    [Fact]
    public void ZipArchive_RefusedWithOneLineNamingFileAndFormat()
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = new StreamWriter(zip.CreateEntry("dump.csv").Open());
            entry.Write(Csv(0, 10, header: true));
        }

        var path = Write("dump.zip", ms.ToArray());
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, new EmailSink()));
        Assert.Equal(path, e.FileName);
        Assert.StartsWith($"{path}: a zip archive", e.Message);
        Assert.Contains("unzip dump.zip", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private sealed class CountingParallelSink : IParallelDumpSink
    {
        private long _rows;

        public long Rows => Interlocked.Read(ref _rows);

        public void OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map)
        {
        }

        public void OnRow(int thread, DumpRow row) => Interlocked.Increment(ref _rows);

        public void OnProblem(int fileIndex, RowProblem problem) => throw new InvalidOperationException(problem.Message);
    }
}

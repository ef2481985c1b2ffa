using System.Globalization;
using System.IO.Compression;
using System.Text;
using Leakwatch.Core;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

public sealed class BadInputTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("leakwatch-bad-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_temp, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string Write(string name, string content) => Write(name, Encoding.UTF8.GetBytes(content));

    private static string GoodCsv(int rows)
    {
        var sb = new StringBuilder("email,name\n");
        for (var i = 1; i <= rows; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"user{i}@example.com,User {i}\n");
        }

        return sb.ToString();
    }

    [Fact]
    public void Read_MissingPath_ThrowsNoSuchFile()
    {
        var path = Path.Combine(_temp, "nope.csv");
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, new RecordingSink()));
        Assert.Equal(path, e.FileName);
        Assert.Contains("no such file or directory", e.Message);
    }

    [Fact]
    public void Read_EmptyDirectory_ThrowsNoDumpFiles()
    {
        Write("dir/README.md", "docs");
        var dir = Path.Combine(_temp, "dir");
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(dir, ReaderOptions.Default, new RecordingSink()));
        Assert.Equal(dir, e.FileName);
        Assert.Equal(0, e.LineNumber);
        Assert.Contains("no dump files found", e.Message);
    }

    [Fact]
    public void Read_EmptyFile_ThrowsFileIsEmpty()
    {
        var path = Write("empty.csv", " \n\n");
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, new RecordingSink()));
        Assert.Equal(path, e.FileName);
        Assert.Contains("file is empty", e.Message);
    }

    [Fact]
    public void Read_InvalidUtf8Byte_CostsOnlyItsField()
    {
        // Enough valid multi-byte text that the file stays UTF-8: one bad byte in a name is damage, not another encoding.
        var path = Write("utf8.csv", [.. Encoding.UTF8.GetBytes("email,name\na@example.com,Zoë\nb@example.com,Chloé\n"), .. "c@x.co,B"u8.ToArray(), 0xC3, 0x28, (byte)'\n', .. Encoding.UTF8.GetBytes("d@example.com,Anaïs\n")]);
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Empty(sink.Problems);
        Assert.Equal("utf-8", Assert.Single(sink.Files).Encoding);
        Assert.Equal([2L, 3L, 4L, 5L], sink.Rows.Select(r => r.Line));
        Assert.Equal(["c@x.co", "B\uFFFD("], sink.Rows[2].Values);
        Assert.True(DumpRow.IsDamaged(sink.Rows[2].Values[1]));
        Assert.False(DumpRow.IsDamaged(sink.Rows[2].Values[0]));
    }

    [Fact]
    public void Read_NulByteRow_ReportsProblemAndDeliversOthers()
    {
        var path = Write("nul.csv", "email,name\na@example.com,A\nb@example.com,B\0B\nc@example.com,C\n");
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Equal(new RowProblem(path, 3, "NUL byte in row"), Assert.Single(sink.Problems));
        Assert.Equal([2L, 4L], sink.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Read_HundredMegabyteLine_ReportsTooLongWithSmallMemory()
    {
        var path = Path.Combine(_temp, "huge.csv");
        using (var fs = File.Create(path))
        {
            fs.Write("email,name\na@example.com,A\nb@example.com,"u8);
            var chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'x');
            for (var i = 0; i < 100; i++)
            {
                fs.Write(chunk);
            }

            fs.Write("\nc@example.com,C\nd@example.com,D\n"u8);
        }

        var sink = new RecordingSink();
        // This thread's allocations only: the whole process's count includes the test classes running beside this one.
        // DumpReader.Read reads on the calling thread (the sink sees every row there), so nothing it does escapes the count.
        var before = GC.GetAllocatedBytesForCurrentThread();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(new RowProblem(path, 3, "row longer than 1048576 characters"), Assert.Single(sink.Problems));
        Assert.Equal([2L, 4L, 5L], sink.Rows.Select(r => r.Line));
        Assert.Equal([Environment.CurrentManagedThreadId], sink.Threads);
        Assert.True(allocated < 32L << 20, $"allocated {allocated >> 20} MB");
    }

    [Fact]
    public void Read_UnbalancedQuote_ReportsOpeningLineAndContinues()
    {
        var sb = new StringBuilder("email,name\na@example.com,A\nb@example.com,\"Bee\n");
        for (var i = 0; i < 1500; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"u{i}@example.com,U\n");
        }

        var path = Write("quote.csv", sb.ToString());
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        var p = Assert.Single(sink.Problems);
        Assert.Equal(path, p.FileName);
        Assert.Equal(3, p.LineNumber);
        Assert.Contains("unbalanced quote", p.Message);
        Assert.Equal(1501, sink.Rows.Count);
        Assert.Equal(4, sink.Rows[1].Line);
        Assert.Equal("u0@example.com", sink.Rows[1].Values[0]);
    }

    [Fact]
    public void Read_UnbalancedQuoteNearEnd_ReportsOpeningLine()
    {
        var path = Write("quote_end.csv", "email,name\na@example.com,\"A\nb@example.com,B\n");
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Equal(3, Assert.Single(sink.Rows).Line);
        Assert.Equal(2, Assert.Single(sink.Problems).LineNumber);
    }

    [Fact]
    public void Read_WrongDelimiter_ThrowsHelpfulMessage()
    {
        var path = Write("colon.txt", "447911123456:100001:John:Smith:male:London:London:Single:Acme Ltd:john@example.com:\n");
        var e = Assert.Throws<DumpFormatException>(() =>
            DumpReader.Read(path, new ReaderOptions { Delimiter = ',' }, new RecordingSink()));
        Assert.Equal(path, e.FileName);
        Assert.Contains("found 1 column; no email or phone column recognised — try --delimiter or --columns", e.Message);
    }

    [Fact]
    public void Read_TruncatedGzip_ThrowsNamingLastGoodLine()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(GoodCsv(20000)));
        }

        var path = Write("cut.csv.gz", ms.ToArray()[..(int)(ms.Length / 2)]);
        var sink = new RecordingSink();
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, sink));
        Assert.Equal(path, e.FileName);
        Assert.Contains($"gzip stream is truncated or corrupt after line {e.LineNumber}", e.Message);
        Assert.True(e.LineNumber > 1000);
        Assert.True(sink.Rows.Count > 1000);
        Assert.True(sink.Rows[^1].Line <= e.LineNumber);
    }

    [Fact]
    public void Read_TruncatedZstd_ThrowsNamingFile()
    {
        var ms = new MemoryStream();
        using (var z = new ZstdSharp.CompressionStream(ms, 3, leaveOpen: true))
        {
            z.Write(Encoding.UTF8.GetBytes(GoodCsv(20000)));
        }

        var path = Write("cut.zst", ms.ToArray()[..(int)(ms.Length / 2)]);
        var sink = new RecordingSink();
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, sink));
        Assert.Equal(path, e.FileName);
        Assert.Contains("zstd stream is truncated or corrupt after line", e.Message);
        Assert.True(sink.Rows.Count > 100);
    }

    [Fact]
    public void Read_InvalidJsonLine_ReportsProblemAndContinues()
    {
        var path = Write("x.jsonl", "{\"email\":\"a@example.com\"}\n{\"email\":\n{\"email\":\"c@example.com\"}\n");
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Equal(new RowProblem(path, 2, "invalid JSON"), Assert.Single(sink.Problems));
        Assert.Equal([1L, 3L], sink.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Read_Raw_IsOriginalRowText()
    {
        var path = Write("raw.csv", "email,name\n\"a@example.com\" , \"A \"\"x\"\"\"\r\n");
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        var row = Assert.Single(sink.Rows);
        Assert.Equal("\"a@example.com\" , \"A \"\"x\"\"\"", row.Raw);
        Assert.Equal(["a@example.com", "A \"x\""], row.Values);
    }

    [Fact]
    public void Read_HeaderlessWithColumnsAndHeaderTrue_SkipsHeader()
    {
        var path = Write("h.csv", "a,b\nx@example.com,1\n");
        var sink = new RecordingSink();
        DumpReader.Read(path, new ReaderOptions { Columns = ["email", "uid"], HasHeader = true }, sink);
        var row = Assert.Single(sink.Rows);
        Assert.Equal(2, row.Line);
        Assert.True(sink.Files[0].HasHeader);
    }

    [Theory]
    [InlineData("E-Mail", FieldRole.Email)]
    [InlineData("email_address", FieldRole.Email)]
    [InlineData("Phone Number", FieldRole.Phone)]
    [InlineData("MSISDN", FieldRole.Phone)]
    [InlineData("date.of.birth", FieldRole.BirthDate)]
    [InlineData("screen_name", FieldRole.Username)]
    [InlineData("password_hash", FieldRole.PasswordHash)]
    [InlineData("current_city", FieldRole.Location)]
    [InlineData("Telefon", FieldRole.Phone)]
    [InlineData("Téléphone", FieldRole.Phone)]
    [InlineData("mobile_no", FieldRole.Phone)]
    [InlineData("Handy-Nummer", FieldRole.Phone)]
    [InlineData("E-Mail-Adresse", FieldRole.Email)]
    [InlineData("Courriel", FieldRole.Email)]
    [InlineData("Prénom", FieldRole.FirstName)]
    [InlineData("Nachname", FieldRole.LastName)]
    [InlineData("Geburtsdatum", FieldRole.BirthDate)]
    [InlineData("uid", FieldRole.Other)]
    [InlineData("", FieldRole.Other)]
    public void FromName_KnownAndUnknownNames_MapToRole(string name, FieldRole role) =>
        Assert.Equal(role, ColumnRoles.FromName(name));
}

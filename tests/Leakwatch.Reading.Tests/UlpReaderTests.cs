using System.IO.Compression;
using System.Text;

namespace Leakwatch.Reading.Tests;

/// <summary>`--format ulp` through the reader: rows of login, website and password with the file's line numbers, bad
/// lines as problems naming the line and the reason and never the text, gzip input, and the parallel reader
/// delivering exactly what the single reader does.</summary>
public sealed class UlpReaderTests : IDisposable
{
    private const string Content =
        "https://www.netflix.com/login:alice@example.com:pa:ss\r\n" +
        "\n" +
        "bob@example.com|hunter2|https://accounts.spotify.com/\n" +
        "no separators at all\n" +
        "android://hash==@com.instagram.android/:carol:secret\n" +
        "https://x.example::nologin-secret\n" +
        "https://x.example:dave@example.com:\n" +
        "https://x.example:erin@example.com:b\0d\n" +
        "erin@example.com:fine:shop.example.co.uk";

    private static readonly ReaderOptions Ulp = new() { Format = DumpFormat.Ulp };
    private readonly string _temp = Directory.CreateTempSubdirectory("lw-ulp-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Read_MixedLayoutsAndBadLines_RowsAndReasonsAtFileLines()
    {
        var path = Write("log.txt", Encoding.UTF8.GetBytes(Content));
        var sink = new RecordingSink();
        DumpReader.Read(path, Ulp, sink);
        Assert.Equal("ulp", Assert.Single(sink.Files).Format);
        Assert.Equal(
            [
                (1L, "alice@example.com|netflix.com|pa:ss"),
                (3L, "bob@example.com|accounts.spotify.com|hunter2"),
                (5L, "carol|com.instagram.android|secret"),
                (9L, "erin@example.com|shop.example.co.uk|fine"),
            ],
            sink.Rows.Select(r => (r.Line, string.Join('|', r.Values))).ToList());
        Assert.Equal(
            [(4L, "no-separator"), (6L, "no-login"), (7L, "empty-password"), (8L, "binary")],
            sink.Problems.Select(p => (p.LineNumber, p.Reason ?? "binary")).ToList());
        foreach (var p in sink.Problems)
        {
            // The line holds a password: a problem names the line, never its text.
            Assert.DoesNotContain("secret", p.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("example", p.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ReadParallel_UlpAnyChunkSize_SameAsSingleReader()
    {
        var path = Write("log.txt", Encoding.UTF8.GetBytes(Content));
        foreach (var chunk in new[] { 1, 7, 64, 1 << 20 })
        {
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var parallel = ParallelReadTests.AssertSame(path, Ulp with { ParallelChunkBytes = chunk }, threads);
                Assert.Equal(4, parallel.Rows.Count);
            }
        }
    }

    [Fact]
    public void Read_LoneCrInsideALine_IsDamageNotALineEnd_SameLinesInParallel()
    {
        // A lone CR is no line end in a stealer log (the byte guard counts LF only outside delimited files): the line
        // holding it is skipped as damaged, and the lines after it keep the file's numbers, however it is chunked.
        var path = Write("cr.txt", "https://a.example:carol@\rexample.com:pw\r\nhttps://b.example:dave@example.com:pw\n"u8.ToArray());
        var sink = new RecordingSink();
        DumpReader.Read(path, Ulp, sink);
        Assert.Equal([(1L, "binary")], sink.Problems.Select(p => (p.LineNumber, p.Reason ?? "")).ToList());
        Assert.Equal(2L, Assert.Single(sink.Rows).Line);
        foreach (var chunk in new[] { 1, 16, 1 << 20 })
        {
            var parallel = ParallelReadTests.AssertSame(path, Ulp with { ParallelChunkBytes = chunk }, threads: 2);
            Assert.Equal(2L, Assert.Single(parallel.Rows).Line);
        }
    }

    [Fact]
    public void Read_GzipUlp_ReadsAsPlain()
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(Content));
        }

        var path = Write("log.txt.gz", buffer.ToArray());
        var sink = new RecordingSink();
        DumpReader.Read(path, Ulp, sink);
        Assert.Equal("gzip", sink.Files[0].Compression);
        Assert.Equal(4, sink.Rows.Count);
        Assert.Equal(4, sink.Problems.Count);
    }

    [Fact]
    public void Read_AutoFormat_NeverGuessesUlp()
    {
        var path = Write("log.txt", Encoding.UTF8.GetBytes("https://a.example:alice@example.com:pw\nhttps://b.example:bob@example.com:pw\n"));
        var sink = new RecordingSink();
        try
        {
            DumpReader.Read(path, ReaderOptions.Default, sink);
        }
        catch (DumpFormatException)
        {
            return;
        }

        Assert.NotEqual("ulp", sink.Files[0].Format);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

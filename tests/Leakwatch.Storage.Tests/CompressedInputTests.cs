using System.IO.Compression;
using System.Text;
using Leakwatch.Core.Errors;
using Leakwatch.Storage.Input;

namespace Leakwatch.Storage.Tests;

public sealed class CompressedInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Rows(int from, int count)
    {
        var sb = new StringBuilder();
        for (var i = from; i < from + count; i++)
        {
            sb.Append("user").Append(i).Append("@example.com,").Append(i * 7919).Append('\n');
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

    private static byte[] Zstd(string text)
    {
        var ms = new MemoryStream();
        using (var z = new ZstdSharp.CompressionStream(ms, 3, leaveOpen: true))
        {
            z.Write(Encoding.UTF8.GetBytes(text));
        }

        return ms.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string ReadAll(string path, int readSize = 1 << 16)
    {
        using var input = CompressedInput.Open(path);
        var ms = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = input.Stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            ms.Write(buffer, 0, n);
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void Plain_PassesThroughUnchanged()
    {
        var text = Rows(0, 1000);
        var path = Write("plain.csv", Encoding.UTF8.GetBytes(text));
        using (var input = CompressedInput.Open(path))
        {
            Assert.Equal(InputCompression.None, input.Compression);
            Assert.Same(input.File, input.Stream);
        }

        Assert.Equal(text, ReadAll(path));
    }

    [Fact]
    public void EmptyFile_IsPlainAndEmpty()
    {
        Assert.Equal("", ReadAll(Write("empty.csv", [])));
    }

    [Fact]
    public void Gzip_ReadWhole_RecognisedByMagicNotName()
    {
        var text = Rows(0, 20_000);
        var path = Write("dump.csv", Gzip(text));
        using (var input = CompressedInput.Open(path))
        {
            Assert.Equal(InputCompression.Gzip, input.Compression);
            Assert.Equal("gzip", input.CompressionName);
        }

        Assert.Equal(text, ReadAll(path));
    }

    [Theory]
    [InlineData(1 << 16)]
    [InlineData(7)]
    [InlineData(33)]
    public void Gzip_MultiMember_ReadsEveryMember(int readSize)
    {
        var first = Rows(0, 5_000);
        var second = Rows(5_000, 7_000);
        var path = Write("cat.csv.gz", [.. Gzip(first), .. Gzip(second)]);
        var read = ReadAll(path, readSize);
        Assert.Equal(12_000, read.Count(c => c == '\n'));
        Assert.Equal(first + second, read);
    }

    [Fact]
    public void Gzip_WithEmptyLastMember_AsBgzipEnds_Reads()
    {
        var text = Rows(0, 100);
        var path = Write("b.csv.gz", [.. Gzip(text), .. Gzip("")]);
        Assert.Equal(text, ReadAll(path));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(20)]
    [InlineData(2000)]
    public void Gzip_Truncated_FailsNamingFile(int cut)
    {
        var bytes = Gzip(Rows(0, 20_000));
        var path = Write("cut.csv.gz", bytes[..^cut]);
        var e = Assert.Throws<CompressedInputException>(() => ReadAll(path));
        Assert.Equal($"{path}: gzip stream is truncated or corrupt", e.Message);
        Assert.Equal(ErrorKind.BadInput, e.Kind);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Gzip_SecondMemberTruncated_Fails()
    {
        var bytes = Gzip(Rows(5_000, 7_000));
        var path = Write("cut2.csv.gz", [.. Gzip(Rows(0, 5_000)), .. bytes[..(bytes.Length / 2)]]);
        Assert.Throws<CompressedInputException>(() => ReadAll(path));
    }

    [Fact]
    public void Zstd_ReadWhole_AndConcatenatedFrames()
    {
        var first = Rows(0, 3_000);
        var second = Rows(3_000, 3_000);
        var path = Write("dump.zst", [.. Zstd(first), .. Zstd(second)]);
        using (var input = CompressedInput.Open(path))
        {
            Assert.Equal(InputCompression.Zstd, input.Compression);
        }

        Assert.Equal(first + second, ReadAll(path));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Zstd_Truncated_FailsNamingFile(int cut)
    {
        var bytes = Zstd(Rows(0, 20_000));
        var path = Write("cut.zst", bytes[..^cut]);
        var e = Assert.Throws<CompressedInputException>(() => ReadAll(path));
        Assert.Equal($"{path}: zstd stream is truncated or corrupt", e.Message);
    }

    [Theory]
    [InlineData("dump.zip", new byte[] { 0x50, 0x4b, 0x03, 0x04, 0x14, 0x00 }, "a zip archive", "unzip dump.zip")]
    [InlineData("dump.7z", new byte[] { 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c }, "a 7z archive", "7z x dump.7z")]
    [InlineData("dump.rar", new byte[] { 0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00 }, "a rar archive", "unrar x dump.rar")]
    [InlineData("renamed.csv", new byte[] { 0x50, 0x4b, 0x03, 0x04, 0x14, 0x00 }, "a zip archive", "unzip renamed.csv")]
    public void Archives_RefusedAtOpenWithOneLineNamingFileAndFormat(string name, byte[] magic, string format, string extract)
    {
        var path = Write(name, [.. magic, .. new byte[100]]);
        var e = Assert.Throws<CompressedInputException>(() => CompressedInput.Open(path));
        Assert.StartsWith($"{path}: {format}", e.Message);
        Assert.Contains(extract, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(ErrorKind.BadInput, e.Kind);
        Assert.IsAssignableFrom<LeakwatchException>(e);
    }
}

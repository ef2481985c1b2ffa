using System.Globalization;
using System.IO.Compression;
using System.Text;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>Hostile and broken dumps: one clear line naming the file (and line), no stack trace, nothing lost.</summary>
public class BadInputTests : IClassFixture<BadInputTests.PublishedIndex>
{
    private readonly PublishedIndex _index;

    public BadInputTests(PublishedIndex index) => _index = index;

    /// <summary>A data dir with one good breach; every bad ingest must leave it exactly as it was.</summary>
    public sealed class PublishedIndex : IDisposable
    {
        public PublishedIndex()
        {
            Dir = new TempDir();
            var csv = Dir.File("good.csv");
            Truth = DumpGenerator.Generate(new GeneratorOptions(2_000, 3, DumpShape.Csv), csv, collectIdentifiers: true);
            var r = LeakwatchProcess.Run([.. Dir.Dirs, "ingest", csv, "--breach", "Good"]);
            Assert.Equal(0, r.ExitCode);
        }

        public TempDir Dir { get; }

        public GeneratorTruth Truth { get; }

        public void Dispose() => Dir.Dispose();
    }

    private string Manifest => File.ReadAllText(Path.Combine(_index.Dir.DataDir, "manifest.json"));

    private LeakwatchProcess.Result IngestBad(string path, params string[] extra)
    {
        var before = Manifest;
        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, "ingest", path, "--breach", "Bad" + Guid.NewGuid().ToString("N")[..8], .. extra]);
        Assert.Equal(before, Manifest);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        var email = _index.Truth.Emails!.First();
        var check = LeakwatchProcess.Run([.. _index.Dir.Dirs, "check", "--json", email]);
        Assert.Contains("\"Good\"", check.Stdout, StringComparison.Ordinal);
        return r;
    }

    /// <summary>README, exit codes: 3 is "the input dump is unusable (the message names the file and line)".</summary>
    private static void AssertOneLineError(LeakwatchProcess.Result r, string file, string expected)
    {
        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}, not 3: {r.Stderr}");
        var lines = r.StderrLines;
        Assert.Single(lines);
        Assert.Contains(file, lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Ingest_MissingFile_NamesFile()
    {
        var path = _index.Dir.File("nope.csv");
        AssertOneLineError(IngestBad(path), path, "no such file");
    }

    [Fact]
    public void Ingest_EmptyFile_NamesFile()
    {
        var path = _index.Dir.File("empty.csv");
        File.WriteAllBytes(path, []);
        AssertOneLineError(IngestBad(path), path, "empty");
    }

    [Fact]
    public void Ingest_DirectoryWithoutDumps_NamesDirectory()
    {
        var path = Path.Combine(_index.Dir.Path, "emptydir");
        Directory.CreateDirectory(path);
        AssertOneLineError(IngestBad(path), path, "no dump files");
    }

    [Fact]
    public void Ingest_TruncatedGzip_NamesFileAndLine()
    {
        var plain = _index.Dir.File("trunc.csv");
        DumpGenerator.Generate(new GeneratorOptions(5_000, 4, DumpShape.Csv), plain);
        var gz = _index.Dir.File("trunc.csv.gz");
        using (var o = File.Create(gz))
        using (var z = new GZipStream(o, CompressionLevel.Fastest))
        {
            File.OpenRead(plain).CopyTo(z);
        }

        var bytes = File.ReadAllBytes(gz);
        File.WriteAllBytes(gz, bytes[..(bytes.Length / 2)]);
        var r = IngestBad(gz);
        AssertOneLineError(r, gz, "truncated");
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void Ingest_WrongDelimiter_SaysWhatToTry()
    {
        var plain = _index.Dir.File("colon.txt");
        DumpGenerator.Generate(new GeneratorOptions(500, 4, DumpShape.Colon), plain);
        AssertOneLineError(IngestBad(plain, "--delimiter", ","), plain, "--delimiter");
    }

    [Fact]
    public void Ingest_RowLevelDamage_CountsAndReportsLinesAndKeepsGoing()
    {
        var path = _index.Dir.File("damaged.csv");
        var sb = new StringBuilder("email,phone\n");
        for (var i = 0; i < 100; i++)
        {
            sb.Append("user").Append(i).Append("@example.com,+4479111234").Append((i % 90 + 10).ToString("D2", CultureInfo.InvariantCulture)).Append('\n');
        }

        var text = Encoding.UTF8.GetBytes(sb.ToString()).ToList();
        var nulLine = Encoding.UTF8.GetBytes("nul\0user@example.com,+447911123400\n");
        var badUtf8 = new byte[] { (byte)'x', 0xC3, 0x28, (byte)'@', (byte)'e', (byte)'x', (byte)'.', (byte)'c', (byte)'o', (byte)'m', (byte)',', (byte)'1', (byte)'\n' };
        text.AddRange(nulLine);
        text.AddRange(badUtf8);
        text.AddRange(Encoding.UTF8.GetBytes("last@example.com,+447911123499\n"));
        File.WriteAllBytes(path, [.. text]);
        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, "ingest", path, "--breach", "Damaged", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var stats = System.Text.Json.JsonDocument.Parse(r.StdoutLines[^1]).RootElement;
        // The NUL row is skipped; the bad byte costs no row. In an otherwise ASCII file that one invalid sequence
        // outnumbers the (zero) valid ones, so the file reads as Windows-1252 and line 103's email is just invalid.
        Assert.Equal(1, stats.GetProperty("problems").GetProperty("count").GetInt64());
        var first = stats.GetProperty("problems").GetProperty("first").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(first, p => p.Contains($"{path}:102", StringComparison.Ordinal));
        Assert.Equal(102, stats.GetProperty("rows").GetInt64());
        Assert.Equal("windows-1252", Assert.Single(stats.GetProperty("encodings").EnumerateObject()).Name);
        Assert.Equal(1, stats.GetProperty("invalid").GetProperty("email").GetInt64());
        Assert.Equal(0, stats.GetProperty("damagedFields").GetInt64());
        Assert.Equal(1, LeakwatchProcess.Run([.. _index.Dir.Dirs, "check", "last@example.com"]).ExitCode);
        Assert.Equal(0, LeakwatchProcess.Run([.. _index.Dir.Dirs, "remove", "Damaged"]).ExitCode);
    }

    [Fact]
    public void Ingest_HundredMegabyteLine_SkippedWithLineNumber()
    {
        var path = _index.Dir.File("huge.csv");
        using (var w = new StreamWriter(path))
        {
            w.Write("email,phone\nfirst@example.com,+447911123456\n");
            w.Write(new string('a', 100 * 1024 * 1024));
            w.Write("\nafter@example.com,+447911123457\n");
        }

        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, "ingest", path, "--breach", "Huge", "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var stats = System.Text.Json.JsonDocument.Parse(r.StdoutLines[^1]).RootElement;
        Assert.Equal(1, stats.GetProperty("problems").GetProperty("count").GetInt64());
        Assert.Contains($"{path}:3", stats.GetProperty("problems").GetProperty("first")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, LeakwatchProcess.Run([.. _index.Dir.Dirs, "check", "after@example.com"]).ExitCode);
        Assert.Equal(0, LeakwatchProcess.Run([.. _index.Dir.Dirs, "remove", "Huge"]).ExitCode);
        File.Delete(path);
    }

    [Theory]
    [InlineData("10.0.0.1/8")] // host bits set
    [InlineData("proxy.example")]
    public void Serve_TrustedProxyNotAnAddress_OneLineUsageErrorNamingIt(string value)
    {
        // Refused while parsing: the server never starts (a started one would not exit).
        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, "serve", "--urls", "http://127.0.0.1:0", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", value]);
        AssertUsageError(r, "--trusted-proxy", $"'{value}'");
    }

    [Theory]
    [InlineData("127.0.0.1")] // no port
    [InlineData("127.0.0.1:redis")]
    [InlineData("127.0.0.1:70000")]
    public void Serve_RedisNotHostPort_OneLineUsageErrorNamingIt(string value)
    {
        // Refused before the server starts or connects: a started one would not exit.
        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, "serve", "--urls", "http://127.0.0.1:0", "--redis", value]);
        AssertUsageError(r, "--redis", $"'{value}'");
    }

    [Theory]
    [InlineData("check", "XX")]
    [InlineData("serve", "Atlantis")]
    [InlineData("ingest", "UK")] // the ISO code is GB
    public void UnknownRegion_IsAUsageErrorNamingIt(string command, string region)
    {
        string[] rest = command switch
        {
            "check" => ["0044 7911 123456"],
            "serve" => ["--urls", "http://127.0.0.1:0"],
            _ => [_index.Dir.File("absent.csv"), "--breach", "Whatever"],
        };
        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, command, "--region", region, .. rest]);
        AssertUsageError(r, "--region", $"'{region}'");
    }

    private static void AssertUsageError(LeakwatchProcess.Result r, string option, string value)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", r.Stderr, StringComparison.Ordinal);
        var first = r.StderrLines[0];
        Assert.Contains(option, first, StringComparison.Ordinal);
        Assert.Contains(value, first, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_UnbalancedQuote_DoesNotSwallowTheFile()
    {
        var path = _index.Dir.File("quote.csv");
        var sb = new StringBuilder("email,phone,name\n");
        sb.Append("q0@example.com,+447911120000,\"Unclosed name\n");
        for (var i = 1; i < 3000; i++)
        {
            sb.Append('q').Append(i).Append("@example.com,+4479111").Append((20000 + i).ToString("D5", CultureInfo.InvariantCulture)).Append(",Name\n");
        }

        File.WriteAllText(path, sb.ToString());
        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, "ingest", path, "--breach", "Quote", "--json"]);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);

        // The reader reports the opening line as the one row problem and resynchronises on the next line: the ingest
        // succeeds, only that row is lost, and every later row is indexed.
        Assert.True(r.ExitCode == 0, r.Stderr);
        var stats = System.Text.Json.JsonDocument.Parse(r.StdoutLines[^1]).RootElement;
        Assert.Equal(1, stats.GetProperty("problems").GetProperty("count").GetInt64());
        Assert.Contains($"{path}:2", stats.GetProperty("problems").GetProperty("first")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(2999, stats.GetProperty("rows").GetInt64());
        Assert.Equal(0, LeakwatchProcess.Run([.. _index.Dir.Dirs, "check", "q0@example.com"]).ExitCode);
        Assert.Equal(1, LeakwatchProcess.Run([.. _index.Dir.Dirs, "check", "q1@example.com"]).ExitCode);
        Assert.Equal(1, LeakwatchProcess.Run([.. _index.Dir.Dirs, "check", "q2999@example.com"]).ExitCode);
        Assert.Equal(0, LeakwatchProcess.Run([.. _index.Dir.Dirs, "remove", "Quote"]).ExitCode);
    }
}

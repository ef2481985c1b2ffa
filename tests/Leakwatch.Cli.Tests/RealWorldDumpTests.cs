using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>Dumps as they circulate, through the real CLI with exact counts: old encodings with a bad byte, several
/// identifiers per row, a dump piped in on standard input, zstd, forced JSON Lines, and the date order.</summary>
public class RealWorldDumpTests
{
    private static readonly string[] Names = ["José", "Zoë", "François", "Müller", "Ångström", "Señor", "Øystein", "Cédric"];

    static RealWorldDumpTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static string Phone(int i) => $"+33 6 12 {i:D6}";

    /// <summary>A semicolon CSV as a French Excel export writes it; row <paramref name="badRow"/>'s name gets a
    /// byte Windows-1252 leaves undefined.</summary>
    private static byte[] Latin1Csv(int rows, int badRow)
    {
        var cp1252 = Encoding.GetEncoding(1252);
        var bytes = new List<byte>(cp1252.GetBytes("email;phone;first_name;last_name\r\n"));
        for (var i = 0; i < rows; i++)
        {
            var last = i == badRow ? "Dur\u0001and" : "Lefèvre";
            var line = cp1252.GetBytes($"user{i}@example.fr;{Phone(i)};{Names[i % Names.Length]};{last}\r\n");
            if (i == badRow)
            {
                line[Array.IndexOf(line, (byte)1)] = 0x81;
            }

            bytes.AddRange(line);
        }

        return [.. bytes];
    }

    private static LeakwatchProcess.Result RunPiped(string inputFile, IEnumerable<string> args)
    {
        // A real shell pipe, as `cat dump.csv.gz | leakwatch ingest - …` runs.
        var psi = LeakwatchProcess.StartInfo(args);
        var leakwatch = psi.ArgumentList.ToList();
        psi.FileName = "/bin/sh";
        psi.ArgumentList.Clear();
        foreach (var a in (string[])["-c", "cat \"$0\" | exec \"$@\"", inputFile, "dotnet", .. leakwatch])
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(5));
        return new LeakwatchProcess.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static JsonElement Json(LeakwatchProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.StdoutLines[^1]).RootElement;
    }

    private static void AssertEncodings(JsonElement stats, string name, int files = 1)
    {
        var encodings = stats.GetProperty("encodings");
        Assert.Equal([(name, files)], encodings.EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
    }

    [Fact]
    public void Ingest_Latin1Csv_DetectedAndEveryRowKeptWithItsBadByteFieldCounted()
    {
        using var dir = new TempDir();
        var dump = dir.File("clients.csv");
        File.WriteAllBytes(dump, Latin1Csv(300, badRow: 150));
        var stats = IngestEndToEndTests.Ingest(dir, dump, "Latin1");
        AssertEncodings(stats, "windows-1252");
        Assert.Equal(300, stats.GetProperty("rows").GetInt64());
        Assert.Equal(300, stats.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.Equal(300, stats.GetProperty("distinct").GetProperty("phone").GetInt64());
        Assert.Equal(300, stats.GetProperty("accounts").GetInt64());
        Assert.Equal(1, stats.GetProperty("damagedFields").GetInt64());
        Assert.Equal(0, stats.GetProperty("problems").GetProperty("count").GetInt64());
        Assert.Equal(600, stats.GetProperty("identifiers").GetProperty("total").GetInt64());

        // The row with the bad byte in its name keeps its email and phone.
        var answers = IngestEndToEndTests.Check(dir, ["user150@example.fr", "+33612000150", "user151@example.fr"]);
        Assert.All(answers.Values, a => Assert.Equal(["Latin1"], a));

        // The human output names the encoding and the damaged field too.
        var human = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", "Latin1Again"]);
        Assert.Equal(0, human.ExitCode);
        Assert.Matches(@"encoding\W+windows-1252", human.Stdout);
        Assert.Matches(@"damaged fields\W+1\b", human.Stdout);
    }

    [Theory]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    public void Ingest_Utf16CsvWithBom_DetectedWithExactCounts(string name)
    {
        using var dir = new TempDir();
        var dump = dir.File("wide.csv");
        var encoding = new UnicodeEncoding(bigEndian: name == "utf-16be", byteOrderMark: true);
        var text = new StringBuilder("email,phone,name\r\n");
        for (var i = 0; i < 250; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"wide{i}@example.com,{Phone(i)},{Names[i % Names.Length]}\r\n");
        }

        File.WriteAllBytes(dump, [.. encoding.GetPreamble(), .. encoding.GetBytes(text.ToString())]);
        var stats = IngestEndToEndTests.Ingest(dir, dump, "Wide");
        AssertEncodings(stats, name);
        Assert.Equal(250, stats.GetProperty("rows").GetInt64());
        Assert.Equal(250, stats.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.Equal(250, stats.GetProperty("distinct").GetProperty("phone").GetInt64());
        Assert.Equal(0, stats.GetProperty("damagedFields").GetInt64());
        var answers = IngestEndToEndTests.Check(dir, ["wide249@example.com", "+33612000249"]);
        Assert.All(answers.Values, a => Assert.Equal(["Wide"], a));
    }

    [Fact]
    public void Ingest_UnknownEncoding_IsAUsageErrorInOneLine()
    {
        using var dir = new TempDir();
        var dump = dir.File("a.csv");
        File.WriteAllText(dump, "email\na@example.com\n");
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", "A", "--encoding", "klingon-7"]);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.StderrLines);
        Assert.Contains("--encoding: unknown encoding 'klingon-7'", line);
    }

    [Fact]
    public void Ingest_SeveralIdentifiersPerRow_EveryColumnAndEveryPartIsIndexed()
    {
        using var dir = new TempDir();
        var dump = dir.File("multi.csv");
        File.WriteAllText(dump,
            "email,work_email,phone,mobile,name\n"
            + "\"a1@example.com; a2@example.com\",a3@example.com,+33 6 12 00 00 01,,Ann\n" // three emails in two columns, a phone
            + "b1@example.com,,,+33 6 12 00 00 02|+33 6 12 00 00 03,Bo\n"
            + "c1@example.com,,+33 6 12 00 00 04,,Cy\n"
            + "d1@example.com,,,,Di\n");
        var stats = IngestEndToEndTests.Ingest(dir, dump, "Multi");
        Assert.Equal(4, stats.GetProperty("rows").GetInt64());
        Assert.Equal(6, stats.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.Equal(4, stats.GetProperty("distinct").GetProperty("phone").GetInt64());
        var identifiers = stats.GetProperty("identifiers");
        Assert.Equal(10, identifiers.GetProperty("total").GetInt64());
        Assert.Equal(2.5, identifiers.GetProperty("perRow").GetDouble());
        Assert.Equal(3, identifiers.GetProperty("rowsWithSeveral").GetInt64());
        Assert.Equal(0, stats.GetProperty("invalid").GetProperty("email").GetInt64());

        string[] all = ["a1@example.com", "a2@example.com", "a3@example.com", "b1@example.com", "c1@example.com", "d1@example.com",
            "+33612000001", "+33612000002", "+33612000003", "+33612000004"];
        var answers = IngestEndToEndTests.Check(dir, all);
        Assert.All(all, a => Assert.Equal(["Multi"], answers[a]));
    }

    [Fact]
    public void Ingest_GzipPipedToStandardInput_CountsMatchTheGeneratorTruth()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.csv.gz");
        var truth = DumpGenerator.Generate(new GeneratorOptions(6_000, 77, DumpShape.Csv), dump, collectIdentifiers: true);
        var stats = Json(RunPiped(dump, [.. dir.Dirs, "ingest", "-", "--breach", "Piped", "--json"]));
        IngestEndToEndTests.AssertCountsMatchTruth(stats, truth);
        AssertEncodings(stats, "utf-8");
        Assert.Equal(1, stats.GetProperty("files").GetInt32());

        var accounts = truth.Emails!.Take(20).Concat(truth.Phones!.Take(20).Select(IngestEndToEndTests.Plus)).ToList();
        var answers = IngestEndToEndTests.Check(dir, accounts);
        Assert.All(accounts, a => Assert.Equal(["Piped"], answers[a]));
    }

    [Fact]
    public void Ingest_PlainJsonLinesOnStandardInputWithFormat_Reads()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.jsonl");
        var truth = DumpGenerator.Generate(new GeneratorOptions(2_000, 78, DumpShape.JsonLines), dump, collectIdentifiers: true);
        var stats = Json(RunPiped(dump, [.. dir.Dirs, "ingest", "-", "--breach", "PipedJson", "--format", "jsonl", "--json"]));
        IngestEndToEndTests.AssertCountsMatchTruth(stats, truth);
    }

    [Fact]
    public void Ingest_PrivateFromStandardInput_BuildsButRebuildsSayInOneLineThatStdinCannotBeReRead()
    {
        using var dir = new TempDir();
        var dump = dir.File("small.csv");
        File.WriteAllText(dump, "email,phone\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"p{i}@example.com,{Phone(i)}\n")));
        var stats = Json(RunPiped(dump, [.. dir.Dirs, "ingest", "-", "--breach", "PipedPrivate", "--private", "--json"]));
        Assert.Equal(50, stats.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.True(stats.TryGetProperty("private", out _));

        var rotate = LeakwatchProcess.Run([.. dir.Dirs, "keys", "rotate-oprf"]);
        Assert.Equal(3, rotate.ExitCode);
        var line = Assert.Single(rotate.StderrLines);
        Assert.Contains("PipedPrivate was ingested from standard input, which cannot be read again", line);

        var build = RunPiped(dump, [.. dir.Dirs, "private", "build", "-", "--breach", "PipedPrivate"]);
        Assert.Equal(3, build.ExitCode);
        Assert.Contains("standard input cannot be read twice", Assert.Single(build.StderrLines));
    }

    [Fact]
    public void Ingest_ZstdCsv_CountsMatchTheGeneratorTruth()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.csv.zst");
        var truth = DumpGenerator.Generate(new GeneratorOptions(6_000, 79, DumpShape.Csv), dump, collectIdentifiers: true);
        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], File.ReadAllBytes(dump)[..4]);
        var stats = IngestEndToEndTests.Ingest(dir, dump, "Zstd");
        IngestEndToEndTests.AssertCountsMatchTruth(stats, truth);
        var answers = IngestEndToEndTests.Check(dir, [.. truth.Emails!.Take(10)]);
        Assert.All(answers.Values, a => Assert.Equal(["Zstd"], a));
    }

    [Fact]
    public void Ingest_FormatJsonl_ReadsJsonLinesThatSniffingWouldTakeForCsv()
    {
        using var dir = new TempDir();
        var source = dir.File("source.jsonl");
        var truth = DumpGenerator.Generate(new GeneratorOptions(3_000, 80, DumpShape.JsonLines), source, collectIdentifiers: true);
        // An exporter's banner line first: sniffing would see a text file; --format jsonl reads JSON Lines, the
        // banner its one bad line.
        var dump = dir.File("export.txt");
        File.WriteAllText(dump, "exported 2019-08-01 by tool v2\n" + File.ReadAllText(source));
        var stats = IngestEndToEndTests.Ingest(dir, dump, "Forced", "--format", "jsonl");
        IngestEndToEndTests.AssertCountsMatchTruth(stats, truth);
        Assert.Equal(1, stats.GetProperty("problems").GetProperty("count").GetInt64());
    }

    [Fact]
    public void Ingest_DateOrder_DecidesWhichAmbiguousBirthDatesAreInvalid()
    {
        using var dir = new TempDir();
        var dump = dir.File("dob.csv");
        var text = new StringBuilder("email,dob\n");
        for (var i = 0; i < 40; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"d{i}@example.com,{13 + (i % 15)}/04/1990\n"); // day first only
        }

        for (var i = 0; i < 25; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"m{i}@example.com,04/{13 + (i % 15)}/1991\n"); // month first only
        }

        for (var i = 0; i < 10; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"a{i}@example.com,03/04/1992\n"); // either
        }

        File.WriteAllText(dump, text.ToString());
        long Invalid(string breach, params string[] order) =>
            IngestEndToEndTests.Ingest(dir, dump, breach, order).GetProperty("invalid").GetProperty("birthdate").GetInt64();

        Assert.Equal(25, Invalid("Dmy", "--date-order", "dmy"));
        Assert.Equal(40, Invalid("Mdy", "--date-order", "mdy"));
        Assert.Equal(0, Invalid("Auto"));
        Assert.Equal(2, LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", "Bad", "--date-order", "ydm"]).ExitCode);
    }
}

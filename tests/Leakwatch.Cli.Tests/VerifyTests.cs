using Leakwatch.Catalog.State;
using System.Diagnostics;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>`leakwatch verify` and the report stored by ingest, checked against what the generator knows.</summary>
public class VerifyTests
{
    [Fact]
    public void Verify_RecycledDumpWithPlantedRun_CountsOverlapAndRunAreExact()
    {
        using var dir = new TempDir();
        var older = dir.File("older.txt");
        var newer = dir.File("newer.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(12_000, 21, DumpShape.Colon), older, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(12_000, 22, DumpShape.Csv) { RecycleFrom = older, RecycleRate = 0.4 }, newer, collectIdentifiers: true);
        IngestEndToEndTests.Ingest(dir, older, "Older", "--columns", string.Join(',', IngestEndToEndTests.ColonColumns));

        var r = LeakwatchProcess.Run([.. dir.Dirs, "verify", newer, "--json", "--html", dir.File("report.html")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var report = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal(t2.Rows, report.GetProperty("rows").GetInt64());
        Assert.Equal(t2.DuplicateRows, report.GetProperty("duplicateRows").GetInt64());
        Assert.Equal(t2.DistinctEmails, report.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.Equal(t2.DistinctPhones, report.GetProperty("distinct").GetProperty("phone").GetInt64());
        Assert.Equal(t2.InvalidEmail, report.GetProperty("invalid").GetProperty("email").GetInt64());
        Assert.Equal(t2.InvalidPhone, report.GetProperty("invalid").GetProperty("phone").GetInt64());
        Assert.Equal(t2.InvalidBirthdate, report.GetProperty("invalid").GetProperty("birthdate").GetInt64());

        var overlap = report.GetProperty("overlap").EnumerateArray().Single(o => o.GetProperty("breach").GetString() == "Older");
        Assert.Equal(t1.Emails!.Count(t2.Emails!.Contains), overlap.GetProperty("emails").GetInt64());
        Assert.Equal(t1.Phones!.Count(t2.Phones!.Contains), overlap.GetProperty("phones").GetInt64());
        Assert.True(overlap.GetProperty("phones").GetInt64() > 1000);

        var enumeration = report.GetProperty("enumeration");
        Assert.Equal(t2.LongestPlantedRun!.Length, enumeration.GetProperty("longestRun").GetInt64());
        var masked = enumeration.GetProperty("longestRunStartMasked").GetString()!;
        Assert.DoesNotContain(t2.LongestPlantedRun.Start.ToString(System.Globalization.CultureInfo.InvariantCulture), masked, StringComparison.Ordinal);
        Assert.Contains(report.GetProperty("verdict").EnumerateArray(), v => v.GetProperty("finding").GetString() == "likely-scraped-by-enumeration");

        // Nothing was written to the data dir by verify: the index still holds only Older.
        Assert.Single(JsonDocument.Parse(LeakwatchProcess.Run([.. dir.Dirs, "breaches", "--json"]).Stdout).RootElement.EnumerateArray());

        // The outputs hold aggregates only.
        var needles = t2.Emails!.Concat(t2.Phones!.SelectMany(PrivacyScanTests.PhoneTexts)).SelectMany(PrivacyScanTests.Forms).ToList();
        File.WriteAllText(dir.File("report.json"), r.Stdout);
        Assert.Empty(PrivacyScanTests.Scan([dir.File("report.json"), dir.File("report.html")], needles));
    }

    [Fact]
    public void Ingest_StoresReport_WithSameCountsAsVerifyAndAgainstFilter()
    {
        using var dir = new TempDir();
        var a = dir.File("a.csv");
        var b = dir.File("b.csv");
        DumpGenerator.Generate(new GeneratorOptions(5_000, 31, DumpShape.Csv), a);
        var tb = DumpGenerator.Generate(new GeneratorOptions(5_000, 32, DumpShape.Csv) { RecycleFrom = a, RecycleRate = 0.6 }, b, collectIdentifiers: true);
        IngestEndToEndTests.Ingest(dir, a, "A");
        IngestEndToEndTests.Ingest(dir, MakeOther(dir), "Other");

        var verified = JsonDocument.Parse(LeakwatchProcess.Run([.. dir.Dirs, "verify", b, "--json", "--against", "A"]).Stdout).RootElement;
        var names = verified.GetProperty("overlap").EnumerateArray().Select(o => o.GetProperty("breach").GetString()).ToList();
        Assert.Equal(["A"], names);
        Assert.Contains(verified.GetProperty("verdict").EnumerateArray(), v => v.GetProperty("finding").GetString() == "likely-recycled");

        IngestEndToEndTests.Ingest(dir, b, "B");
        var stored = LeakwatchProcess.Run([.. dir.Dirs, "breach", "B", "--json"]);
        Assert.Equal(0, stored.ExitCode);
        Assert.Equal(tb.Rows, JsonDocument.Parse(stored.Stdout).RootElement.GetProperty("Stats").GetProperty("rows").GetInt64());

        // The report the ingest stored with B (what /breaches/B/report serves) carries verify's counts.
        string storedJson;
        using (var catalog = SqliteStateStore.OpenReadOnly(dir.DataDir)!)
        {
            storedJson = catalog.GetReport(catalog.AllBreaches().Single(x => x.Name == "B").Id)!;
        }

        var report = JsonDocument.Parse(storedJson).RootElement;
        Assert.Equal(tb.Rows, report.GetProperty("rows").GetInt64());
        Assert.Equal(tb.DuplicateRows, report.GetProperty("duplicateRows").GetInt64());
        Assert.Equal(tb.DistinctEmails, report.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.Equal(tb.DistinctPhones, report.GetProperty("distinct").GetProperty("phone").GetInt64());
        Assert.Equal(tb.InvalidEmail, report.GetProperty("invalid").GetProperty("email").GetInt64());
        Assert.Equal(tb.InvalidPhone, report.GetProperty("invalid").GetProperty("phone").GetInt64());
        JsonElement OverlapWithA(JsonElement r) => r.GetProperty("overlap").EnumerateArray().Single(o => o.GetProperty("breach").GetString() == "A");
        Assert.Equal(OverlapWithA(verified).GetProperty("emails").GetInt64(), OverlapWithA(report).GetProperty("emails").GetInt64());
        Assert.Equal(OverlapWithA(verified).GetProperty("phones").GetInt64(), OverlapWithA(report).GetProperty("phones").GetInt64());
        Assert.Contains(report.GetProperty("verdict").EnumerateArray(), v => v.GetProperty("finding").GetString() == "likely-recycled");
        var missing = LeakwatchProcess.Run([.. dir.Dirs, "verify", b, "--against", "Nope"]);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("Nope", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(tb.Rows, verified.GetProperty("rows").GetInt64());
    }

    /// <summary>The issue's case: `verify --sample --against A` of a dump already ingested as B listed B as "#2"
    /// beside A. Sample mode compares with exactly the breaches a full run would, names them alike, and its outputs
    /// hold aggregates only.</summary>
    [Fact]
    public void VerifySample_AgainstOneBreach_ListsOnlyThatOneByNameAndOutputsHoldNoIdentifier()
    {
        using var dir = new TempDir();
        var a = dir.File("a.csv");
        var b = dir.File("b.csv");
        DumpGenerator.Generate(new GeneratorOptions(4_000, 51, DumpShape.Csv), a);
        var tb = DumpGenerator.Generate(new GeneratorOptions(4_000, 52, DumpShape.Csv) { RecycleFrom = a, RecycleRate = 0.5 }, b, collectIdentifiers: true);
        IngestEndToEndTests.Ingest(dir, a, "A");
        IngestEndToEndTests.Ingest(dir, b, "B");

        var html = dir.File("sample.html");
        var sampled = LeakwatchProcess.Run([.. dir.Dirs, "verify", b, "--sample", "1000", "--seed", "3", "--against", "A", "--json", "--html", html]);
        Assert.True(sampled.ExitCode == 0, sampled.Stderr);
        var report = JsonDocument.Parse(sampled.Stdout).RootElement;
        var names = report.GetProperty("overlap").EnumerateArray().Select(o => o.GetProperty("breach").GetString()).ToList();
        Assert.Equal(["A"], names);
        Assert.Equal(2, report.GetProperty("schemaVersion").GetInt32());
        var seen = report.GetProperty("seenBefore");
        var overlapA = report.GetProperty("overlap")[0];
        Assert.Equal(overlapA.GetProperty("emails").GetInt64(), seen.GetProperty("emails").GetInt64());
        Assert.True(seen.GetProperty("emails").GetInt64() < report.GetProperty("distinct").GetProperty("email").GetInt64(),
            "B's own emails were counted as seen before");

        // Without --against every published breach is compared, by name (B itself included, as a full verify does).
        var all = JsonDocument.Parse(LeakwatchProcess.Run([.. dir.Dirs, "verify", b, "--sample", "1000", "--json"]).Stdout).RootElement;
        Assert.Equal(["A", "B"], all.GetProperty("overlap").EnumerateArray().Select(o => o.GetProperty("breach").GetString()).Order().ToList());
        var missing = LeakwatchProcess.Run([.. dir.Dirs, "verify", b, "--sample", "1000", "--against", "Nope"]);
        Assert.Equal(3, missing.ExitCode);

        var json = dir.File("sample.json");
        File.WriteAllText(json, sampled.Stdout);
        var markdown = dir.File("sample.md");
        File.WriteAllText(markdown, LeakwatchProcess.Run([.. dir.Dirs, "verify", b, "--sample", "1000", "--seed", "3"]).Stdout);
        var needles = tb.Emails!.Concat(tb.Phones!.SelectMany(PrivacyScanTests.PhoneTexts)).SelectMany(PrivacyScanTests.Forms).ToList();
        Assert.Empty(PrivacyScanTests.Scan([json, html, markdown], needles));
    }

    private static string MakeOther(TempDir dir)
    {
        var path = dir.File("other.csv");
        DumpGenerator.Generate(new GeneratorOptions(2_000, 33, DumpShape.Csv), path);
        return path;
    }

    [Fact]
    public void VerifyHtml_OpensInChromium_AndShowsItsCharts()
    {
        using var dir = new TempDir();
        var dump = dir.File("d.csv");
        DumpGenerator.Generate(new GeneratorOptions(8_000, 41, DumpShape.Csv), dump);
        var html = dir.File("report.html");
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "verify", dump, "--html", html]).ExitCode);

        var png = dir.File("shot.png");
        var dom = RunChromium(["--screenshot=" + png, "--window-size=1200,2400", new Uri(html).AbsoluteUri], dir);
        Assert.True(File.Exists(png), dom);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 20_000, $"screenshot is only {bytes.Length} bytes");

        // The rendered DOM (after the browser parsed it) holds one SVG chart per figure.
        var rendered = RunChromium(["--dump-dom", new Uri(html).AbsoluteUri], dir);
        Assert.True(CountOf(rendered, "<svg") >= 4, $"expected charts in the rendered page, found {CountOf(rendered, "<svg")}");
        Assert.Contains("Birth", rendered, StringComparison.OrdinalIgnoreCase);
    }

    private static int CountOf(string text, string needle)
    {
        var n = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    internal static string RunChromium(IEnumerable<string> args, TempDir dir)
    {
        var psi = new ProcessStartInfo("/usr/bin/chromium") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.File("chrome-profile")])
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "chromium did not finish");
        return stdout.Result;
    }
}

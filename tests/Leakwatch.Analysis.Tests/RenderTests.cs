using System.Globalization;
using System.Text.Json;
using Leakwatch.Ingest;

namespace Leakwatch.Analysis.Tests;

public sealed class RenderTests
{
    private static readonly Lazy<(VerificationReport Report, FullScan Scan)> Full = new(() =>
    {
        var (path, _) = TestDumps.Small;
        var (scan, merged) = FullScan.Run(path);
        using (merged)
        {
            var report = ReportBuilder.Build(scan.Inputs(merged) with
            {
                Breach = "Synthetic2026",
                ClaimedDomain = "gmail.com",
                Overlap = [("OlderScrape", 2000, 2000), ("Combo", 10, 0)],
                SeenBefore = (2005, 2000),
            });
            return (report, scan);
        }
    });

    [Fact]
    public void Serialize_Report_HasEveryRequiredField()
    {
        using var doc = JsonDocument.Parse(ReportJson.Serialize(Full.Value.Report));
        var paths = Paths(doc.RootElement);
        string[] required =
        [
            "schemaVersion", "rows", "duplicateRows", "distinct.email", "distinct.phone", "invalid.email", "invalid.phone",
            "invalid.birthdate", "validity.email.value", "validity.phone.value", "validity.birthdate.value",
            "phoneValidityByCountry[].region", "phoneValidityByCountry[].validRatio.value", "gender.femaleShare.value",
            "birthDates.years[].year", "birthDates.years[].spike", "birthDates.mostCommon.count", "topCountries[].name",
            "topEmailDomains[].share.value", "topEmailTlds[].name", "domainMismatch.mismatch", "overlap[].breach",
            "overlap[].emails", "overlap[].phones", "overlap[].emailRatio.value", "overlap[].phoneRatio.value",
            "enumeration.longestRun", "enumeration.longestRunStartMasked", "enumeration.numbersInRunsOf100",
            "enumeration.runLengthHistogram[].numbers", "enumeration.byCountry[].shareInRunsOf100", "sample",
            "verdict[].finding", "verdict[].confidence", "verdict[].evidence[]", "verdict[].threshold",
            "duplicateRatio.low", "duplicateRatio.high",
        ];
        foreach (var p in required)
        {
            Assert.Contains(p, paths);
        }

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("sample").ValueKind);
    }

    /// <summary>The schema's shape (every property path, arrays as []) against Golden/report-shape.txt.
    /// A change here is a schema change: update docs/report-schema.md and, if not additive, the schema version.
    /// Set LEAKWATCH_UPDATE_GOLDEN=1 to rewrite the file.</summary>
    [Fact]
    public void Serialize_FullAndSampleReports_MatchGoldenShape()
    {
        var (path, _) = TestDumps.Small;
        var sample = SampleVerifier.Run(path, Leakwatch.Reading.ReaderOptions.Default,
            new SampleOptions { Size = 500, Seed = 1, Today = TestDumps.Today }, null, null, null);
        using var spiky = new AnalysisAccumulator();
        for (var i = 0; i < 50; i++)
        {
            spiky.AddBirthDate(new DateOnly(1900, 1, 1));
        }

        var withSpike = ReportBuilder.Build(new ReportInputs { Rows = 50, Analysis = spiky });
        var shape = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var report in new[] { Full.Value.Report, sample, withSpike })
        {
            using var doc = JsonDocument.Parse(ReportJson.Serialize(report));
            shape.UnionWith(Paths(doc.RootElement));
        }

        // The version heads the file, so a shape change that forgets to bump it shows in the diff.
        var actual = $"# schemaVersion {VerificationReport.CurrentSchemaVersion}\n" + string.Join('\n', shape) + "\n";
        var golden = Path.Combine(AppContext.BaseDirectory, "Golden", "report-shape.txt");
        if (Environment.GetEnvironmentVariable("LEAKWATCH_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(FindRepoDir(), "tests", "Leakwatch.Analysis.Tests", "Golden", "report-shape.txt");
            File.WriteAllText(source, actual);
            // A test that compares a file with itself proves nothing: the run that writes it must not pass.
            Assert.Fail("golden file regenerated; review it and rerun without LEAKWATCH_UPDATE_GOLDEN");
        }

        Assert.True(File.Exists(golden), "missing Golden/report-shape.txt; run with LEAKWATCH_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(golden), actual);
    }

    [Fact]
    public void Serialize_SameInputs_SameBytes()
    {
        var (path, _) = TestDumps.Small;
        string Once()
        {
            var (scan, merged) = FullScan.Run(path);
            using (merged)
            {
                return ReportJson.Serialize(ReportBuilder.Build(scan.Inputs(merged) with { ClaimedDomain = "gmail.com" }));
            }
        }

        var a = Once();
        Assert.Equal(a, Once());
        var back = ReportJson.Deserialize(a)!;
        Assert.Equal(a, ReportJson.Serialize(back));
    }

    [Fact]
    public void Render_Html_SelfContainedWithOneSvgPerChart()
    {
        var html = ReportHtml.Render(Full.Value.Report);
        if (Environment.GetEnvironmentVariable("LEAKWATCH_REPORT_PREVIEW") is { Length: > 0 } preview)
        {
            File.WriteAllText(preview, html);
        }

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(5, Count(html, "<svg"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("Birth years", html, StringComparison.Ordinal);
        Assert.Contains("OlderScrape", html, StringComparison.Ordinal);
        // Chart text was rendered with a real font: the SVG carries glyphs or text, not empty groups.
        Assert.True(html.Length > 20_000);
    }

    [Fact]
    public void Render_Html_BreachNameEncodedOnceAsWebUtilityDoes()
    {
        const string name = "<b>Müller & 'Co'</b> \"+\" – 😀";
        using var acc = new AnalysisAccumulator();
        var html = ReportHtml.Render(ReportBuilder.Build(new ReportInputs { Rows = 0, Analysis = acc }) with { Breach = name });
        var encoded = System.Net.WebUtility.HtmlEncode("Verification report: " + name);
        Assert.Contains($"<title>{encoded}</title>", html, StringComparison.Ordinal);
        Assert.Contains($"<h1>{encoded}</h1>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("&amp;amp;", html, StringComparison.Ordinal);
        Assert.EndsWith("</div>\n</body>\n</html>\n", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EmptyReport_StillRendersEveryChart()
    {
        using var acc = new AnalysisAccumulator();
        var report = ReportBuilder.Build(new ReportInputs { Rows = 0, Analysis = acc });
        var html = ReportHtml.Render(report);
        Assert.Equal(5, Count(html, "<svg"));
        Assert.Contains("No finding", ReportMarkdown.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AllOutputs_ContainNoInputIdentifier()
    {
        var (report, scan) = Full.Value;
        var (path, _) = TestDumps.Small;
        var sample = SampleVerifier.Run(path, Leakwatch.Reading.ReaderOptions.Default,
            new SampleOptions { Size = 800, Seed = 2, Today = TestDumps.Today, ClaimedDomain = "gmail.com" }, null, null, null);

        var needles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in scan.RawIdentifiers)
        {
            if (raw.Length >= 6)
            {
                needles.Add(raw);
                needles.Add(raw.ToLowerInvariant());
            }
        }

        foreach (var e in scan.Emails)
        {
            needles.Add(e);
        }

        foreach (var p in scan.Phones)
        {
            var digits = p.ToString(CultureInfo.InvariantCulture);
            needles.Add(digits);
            needles.Add("+" + digits);
        }

        Assert.True(needles.Count > 5000);
        var outputs = new[]
        {
            ReportJson.Serialize(report), ReportHtml.Render(report), ReportMarkdown.Render(report),
            ReportJson.Serialize(sample), ReportHtml.Render(sample), ReportMarkdown.Render(sample),
        };
        foreach (var output in outputs)
        {
            foreach (var needle in needles)
            {
                Assert.False(output.Contains(needle, StringComparison.Ordinal), $"an input identifier appears in an output (length {needle.Length})");
            }
        }
    }

    [Fact]
    public void Render_Markdown_SummarizesVerdictAndCounts()
    {
        var md = ReportMarkdown.Render(Full.Value.Report);
        Assert.Contains("# Verification report: Synthetic2026", md, StringComparison.Ordinal);
        Assert.Contains("likely-recycled", md, StringComparison.Ordinal);
        Assert.Contains("likely-scraped-by-enumeration", md, StringComparison.Ordinal);
        Assert.Contains("| rows | 3,000 |", md, StringComparison.Ordinal);
    }

    private static int Count(string s, string needle)
    {
        var n = 0;
        for (var i = s.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = s.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static SortedSet<string> Paths(JsonElement root)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(JsonElement e, string prefix)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    if (prefix.Length > 0)
                    {
                        set.Add(prefix);
                    }

                    foreach (var p in e.EnumerateObject())
                    {
                        Walk(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name);
                    }

                    break;
                case JsonValueKind.Array:
                    set.Add(prefix);
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item, prefix + "[]");
                    }

                    break;
                default:
                    set.Add(prefix);
                    break;
            }
        }

        Walk(root, "");
        return set;
    }

    private static string FindRepoDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Leakwatch.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

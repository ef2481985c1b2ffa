using System.Text;
using Leakwatch.Core;

namespace Leakwatch.Analysis.Tests;

public sealed class ReportBuilderTests
{
    [Fact]
    public void Build_FullScan_UsesPipelineCountsAndTruth()
    {
        var (path, truth) = TestDumps.Small;
        var (scan, merged) = FullScan.Run(path);
        using var _ = merged;
        var report = ReportBuilder.Build(scan.Inputs(merged));

        Assert.Equal(truth.Rows, report.Rows);
        Assert.Equal(truth.DuplicateRows, report.DuplicateRows);
        Assert.Equal(truth.InvalidEmail, report.Invalid.Email);
        Assert.Equal(truth.InvalidPhone, report.Invalid.Phone);
        Assert.Equal(truth.InvalidBirthdate, report.Invalid.Birthdate);
        Assert.Equal(truth.DistinctEmails, report.Distinct.Email);
        Assert.Equal(truth.DistinctPhones, report.Distinct.Phone);
        Assert.Equal(truth.Rows - truth.EmptyEmail - truth.InvalidEmail, report.Valid.Email);
        Assert.Equal(150, report.Enumeration.LongestRun);
        Assert.Null(report.Sample);
        Assert.Null(report.Validity.Email!.Low);
        Assert.Contains(report.TopEmailDomains, d => d.Name == "gmail.com");
        Assert.True(report.Gender.Male > report.Gender.Female);
        Assert.Contains(report.Verdict, f => f.Kind == "likely-scraped-by-enumeration");
        Assert.DoesNotContain(report.Verdict, f => f.Kind is "likely-fabricated" or "domain-mismatch" or "likely-spam-list");
        long phoneTotal = 0;
        foreach (var c in report.PhoneValidityByCountry)
        {
            phoneTotal += c.Valid + c.Invalid;
        }

        Assert.True(phoneTotal <= report.Valid.Phone + report.Invalid.Phone);
    }

    [Fact]
    public void Build_OneOrManyWorkers_SameReport()
    {
        var (path, _) = TestDumps.Small;
        var (one, a) = FullScan.Run(path, workers: 1);
        var (four, b) = FullScan.Run(path, new AnalysisOptions { PhoneMemoryBytes = 256 * 8, TempDirectory = TestDumps.TempDir("merge") }, workers: 4);
        using (a)
        using (b)
        {
            Assert.Equal(ReportJson.Serialize(ReportBuilder.Build(one.Inputs(a))), ReportJson.Serialize(ReportBuilder.Build(four.Inputs(b))));
        }
    }

    [Fact]
    public void Build_EmailsMostlyAnotherServiceDomain_FlagsDomainMismatch()
    {
        var path = ZooskLike();
        var (scan, merged) = FullScan.Run(path);
        using var _ = merged;
        var report = ReportBuilder.Build(scan.Inputs(merged) with { ClaimedDomain = "https://www.Zoosk.com/" });

        var check = report.DomainMismatch!;
        Assert.Equal("zoosk.com", check.ClaimedDomain);
        Assert.True(check.Mismatch);
        Assert.Equal("badoo.com", check.DominantDomain);
        Assert.Equal(64, check.ClaimedCount);
        var finding = Assert.Single(report.Verdict, f => f.Kind == "domain-mismatch");
        Assert.Contains(finding.Evidence, e => e.Contains("badoo.com", StringComparison.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace(finding.Threshold));
    }

    [Fact]
    public void Build_ClaimedDomainDominates_NoMismatch()
    {
        var path = ZooskLike();
        var (scan, merged) = FullScan.Run(path);
        using var _ = merged;
        var report = ReportBuilder.Build(scan.Inputs(merged) with { ClaimedDomain = "badoo.com" });

        Assert.False(report.DomainMismatch!.Mismatch);
        Assert.DoesNotContain(report.Verdict, f => f.Kind == "domain-mismatch");
    }

    [Fact]
    public void Build_WebmailDominates_NoMismatch()
    {
        var (path, _) = TestDumps.Small;
        var (scan, merged) = FullScan.Run(path);
        using var _ = merged;
        var report = ReportBuilder.Build(scan.Inputs(merged) with { ClaimedDomain = "acme.example" });
        Assert.False(report.DomainMismatch!.Mismatch);
    }

    [Fact]
    public void Build_DefaultBirthDate_FlagsSpikeAndDefaultFinding()
    {
        using var acc = new AnalysisAccumulator();
        var rng = new Random(4);
        for (var i = 0; i < 5000; i++)
        {
            acc.AddBirthDate(new DateOnly(1950, 1, 1).AddDays(rng.Next(40 * 365)));
        }

        for (var i = 0; i < 400; i++)
        {
            acc.AddBirthDate(new DateOnly(1900, 1, 1));
        }

        var report = ReportBuilder.Build(new ReportInputs { Rows = 5400, Analysis = acc });

        Assert.Equal("1900-01-01", report.BirthDates.MostCommon!.Date);
        Assert.Equal(400, report.BirthDates.MostCommon.Count);
        Assert.Equal("1900-01-01", report.BirthDates.Spikes[0].Date);
        Assert.Contains(report.BirthDates.Years, y => y.Year == 1900 && y.Spike);
        Assert.DoesNotContain(report.BirthDates.Years, y => y.Year is > 1955 and < 1985 && y.Spike);
        Assert.Contains(report.Verdict, f => f.Kind == "default-birthdates" && f.Confidence == "high");
    }

    [Fact]
    public void Build_FewSharedDates_DoesNotPrintALonePersonsDate()
    {
        using var acc = new AnalysisAccumulator();
        acc.AddBirthDate(new DateOnly(1984, 6, 2));
        acc.AddBirthDate(new DateOnly(1984, 6, 2));
        acc.AddBirthDate(new DateOnly(1990, 3, 7));
        var report = ReportBuilder.Build(new ReportInputs { Rows = 3, Analysis = acc });

        Assert.Null(report.BirthDates.MostCommon!.Date);
        Assert.Equal(2, report.BirthDates.MostCommon.Count);
        Assert.Empty(report.BirthDates.Spikes);
    }

    [Theory]
    [InlineData(900, 100, "likely-recycled", "high")]
    [InlineData(600, 100, "likely-recycled", "medium")]
    [InlineData(40, 10, "likely-new", "medium")]
    public void Build_Overlap_RecycledOrNewByStatedThreshold(long seenEmails, long seenPhones, string finding, string confidence)
    {
        using var acc = new AnalysisAccumulator();
        var report = ReportBuilder.Build(new ReportInputs
        {
            Rows = 1000,
            DistinctEmail = 1000,
            DistinctPhone = 0,
            Analysis = acc,
            Overlap = [("Older", seenEmails, seenPhones), ("Other", 10, 0)],
            SeenBefore = (seenEmails, 0),
        });

        var f = Assert.Single(report.Verdict, v => v.Kind is "likely-recycled" or "likely-new");
        Assert.Equal(finding, f.Kind);
        Assert.Equal(confidence, f.Confidence);
        Assert.Contains("%", f.Threshold, StringComparison.Ordinal);
        Assert.Equal("Older", report.Overlap[0].Breach);
        Assert.Equal(seenEmails / 1000.0, report.Overlap[0].EmailRatio.Value, 6);
    }

    [Fact]
    public void Build_NoUnion_UsesLargestOverlapAsLowerBound()
    {
        using var acc = new AnalysisAccumulator();
        var report = ReportBuilder.Build(new ReportInputs
        {
            Rows = 100,
            DistinctEmail = 100,
            Analysis = acc,
            Overlap = [("A", 70, 0), ("B", 30, 0)],
        });
        Assert.False(report.SeenBefore!.Exact);
        Assert.Equal(70, report.SeenBefore.Emails);
        Assert.Contains(report.Verdict, f => f.Kind == "likely-recycled" && f.Evidence.Any(e => e.Contains("lower bound", StringComparison.Ordinal)));
    }

    [Fact]
    public void Build_EmailOnlyRows_FlagsSpamListShape()
    {
        var csv = new StringBuilder("email\n");
        for (var i = 0; i < 1200; i++)
        {
            csv.Append("user").Append(i).Append("@domain").Append(i % 300).Append(".com\n");
        }

        var (scan, merged) = FullScan.Run(TestDumps.WriteCsv("spam.csv", csv.ToString()));
        using var _ = merged;
        var report = ReportBuilder.Build(scan.Inputs(merged));
        Assert.Contains(report.Verdict, f => f.Kind == "likely-spam-list");
        Assert.Equal(300, report.DistinctEmailDomains);
    }

    [Fact]
    public void Build_BadFieldsAndDuplicates_FlagsLikelyFabricated()
    {
        var csv = new StringBuilder("email,phone,dob\n");
        for (var i = 0; i < 600; i++)
        {
            var line = i % 2 == 0
                ? $"broken{i}-at-example,12{i},1890-13-45\n"
                : $"ok{i}@example.com,+44 7911 {100000 + i},1985-04-{1 + i % 28:00}\n";
            csv.Append(line);
            if (i % 3 == 0)
            {
                csv.Append(line);
            }
        }

        var (scan, merged) = FullScan.Run(TestDumps.WriteCsv("fabricated.csv", csv.ToString()));
        using var _ = merged;
        var report = ReportBuilder.Build(scan.Inputs(merged));
        var f = Assert.Single(report.Verdict, v => v.Kind == "likely-fabricated");
        Assert.Equal("high", f.Confidence);
        Assert.Contains(report.Verdict, v => v.Kind == "low-validity");
    }

    [Fact]
    public void AddInvalidPhone_RawText_AttributedToItsCallingCode()
    {
        using var acc = new AnalysisAccumulator(new AnalysisOptions { DefaultRegion = "GB" });
        // Ten of each: a calling code on fewer rows would fold into "other".
        for (var i = 0; i < 10; i++)
        {
            acc.AddInvalidPhone("+33 1");
            acc.AddInvalidPhone("07911 12");
            acc.AddPhone(447911123456);
        }

        var report = ReportBuilder.Build(new ReportInputs { Rows = 30, InvalidPhone = 20, DistinctPhone = 1, Analysis = acc });

        Assert.Contains(report.PhoneValidityByCountry, c => c is { CallingCode: 33, Region: "FR", Invalid: 10, Valid: 0 });
        Assert.Contains(report.PhoneValidityByCountry, c => c is { CallingCode: 44, Region: "GB", Invalid: 10, Valid: 10 });
        Assert.Equal(PhoneNormalizer.RegionOf(447911123456), Assert.Single(report.TopCountries).Name);
    }

    [Fact]
    public void AddInvalidPhone_NoDefaultRegion_ReadsTheCallingCodeAfterPlusOr00()
    {
        using var acc = new AnalysisAccumulator(new AnalysisOptions());
        for (var i = 0; i < 10; i++)
        {
            acc.AddInvalidPhone("+33 1");
            acc.AddInvalidPhone("0033 12");
            acc.AddInvalidPhone("4930 1");
            acc.AddInvalidPhone("0 12345"); // a trunk prefix: no calling code to read
        }

        var report = ReportBuilder.Build(new ReportInputs { Rows = 40, InvalidPhone = 40, Analysis = acc });

        Assert.Contains(report.PhoneValidityByCountry, c => c is { CallingCode: 33, Region: "FR", Invalid: 20 });
        Assert.Contains(report.PhoneValidityByCountry, c => c is { CallingCode: 49, Region: "DE", Invalid: 10 });
        Assert.Contains(report.PhoneValidityByCountry, c => c is { CallingCode: 0, Invalid: 10 });
    }

    [Fact]
    public void AddGender_Values_CountedWithFemaleShare()
    {
        using var acc = new AnalysisAccumulator();
        acc.AddGender(Gender.Female);
        acc.AddGender(Gender.Male);
        acc.AddGender(Gender.Male);
        acc.AddGender(Gender.Male);
        acc.AddGender(Gender.Unknown);
        var report = ReportBuilder.Build(new ReportInputs { Rows = 5, Analysis = acc });
        Assert.Equal(0.25, report.Gender.FemaleShare!.Value);
        Assert.Equal(1, report.Gender.Unrecognized);
    }

    internal static string ZooskLike()
    {
        var csv = new StringBuilder("email,first_name\n");
        for (var i = 0; i < 880; i++)
        {
            csv.Append("member").Append(i).Append("@badoo.com,Ann\n");
        }

        for (var i = 0; i < 64; i++)
        {
            csv.Append("member").Append(i).Append("@zoosk.com,Bob\n");
        }

        for (var i = 0; i < 300; i++)
        {
            csv.Append("person").Append(i).Append("@gmail.com,Cy\n");
        }

        return TestDumps.WriteCsv("zoosk-" + Guid.NewGuid().ToString("N") + ".csv", csv.ToString());
    }
}

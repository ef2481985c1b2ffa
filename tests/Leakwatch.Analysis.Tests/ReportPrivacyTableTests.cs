using System.Globalization;
using System.Text.Json;

namespace Leakwatch.Analysis.Tests;

/// <summary>No table in a report names a value (domain, TLD, region, calling code, birth year) that fewer than 10 rows
/// share: such values fold into one "other" row, so a personal domain or a lone person's birth year never appears.</summary>
public sealed class ReportPrivacyTableTests
{
    [Fact]
    public void Build_RareValues_FoldIntoOtherAndEveryListedRowHasTenOrMore()
    {
        using var acc = new AnalysisAccumulator();
        for (var i = 0; i < 40; i++)
        {
            acc.AddEmail($"user{i}@gmail.com");
        }

        for (var i = 0; i < 12; i++)
        {
            acc.AddEmail($"staff{i}@acme-corp.com");
        }

        acc.AddEmail("jane@janes-own-domain.com");
        acc.AddEmail("x@tiny.museum");
        for (ulong i = 0; i < 30; i++)
        {
            acc.AddPhone(447911123000UL + i * 7);
        }

        acc.AddPhone(3545512345UL); // one Icelandic number
        acc.AddInvalidPhone("+354 12");
        for (var i = 0; i < 25; i++)
        {
            acc.AddBirthDate(new DateOnly(1980 + (i % 2), 3, 1 + i));
        }

        acc.AddBirthDate(new DateOnly(1903, 5, 5)); // one person born in 1903

        var report = ReportBuilder.Build(new ReportInputs { Rows = 60, Analysis = acc, InvalidPhone = 1 });

        Assert.DoesNotContain(report.TopEmailDomains, d => d.Name == "janes-own-domain.com");
        var domains = report.TopEmailDomains.Select(d => d.Name).ToList();
        Assert.Equal(["gmail.com", "acme-corp.com", ReportBuilder.OtherRow], domains);
        Assert.Equal(2, report.TopEmailDomains[^1].Count);
        Assert.Equal(acc.ValidEmails, report.TopEmailDomains.Sum(d => d.Count));
        Assert.Equal(acc.ValidEmails, report.TopEmailTlds.Sum(d => d.Count));
        Assert.DoesNotContain(report.TopEmailTlds, d => d.Name == "museum");
        Assert.DoesNotContain(report.TopCountries, c => c.Name == "IS");
        Assert.Equal(acc.ValidPhones, report.TopCountries.Sum(c => c.Count));
        Assert.DoesNotContain(report.PhoneValidityByCountry, c => c.CallingCode == 354);
        var otherCode = Assert.Single(report.PhoneValidityByCountry, c => c.CallingCode is null);
        Assert.Equal((1, 1), (otherCode.Valid, otherCode.Invalid));
        Assert.DoesNotContain(report.BirthDates.Years, y => y.Year == 1903);
        Assert.Equal(1, Assert.Single(report.BirthDates.Years, y => y.Year is null).Count);
        Assert.DoesNotContain(report.Enumeration.ByCountry, c => c.CallingCode == 354);

        AssertNoSmallRows(ReportJson.Serialize(report));
        var html = ReportHtml.Render(report);
        Assert.DoesNotContain("janes-own-domain", html, StringComparison.Ordinal);
        Assert.DoesNotContain("1903", html, StringComparison.Ordinal);
        Assert.DoesNotContain("janes-own-domain", ReportMarkdown.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DominantDomainOnFewRows_IsNotNamed()
    {
        using var acc = new AnalysisAccumulator();
        for (var i = 0; i < 3; i++)
        {
            acc.AddEmail($"me{i}@smith-family.org");
        }

        acc.AddEmail("a@gmail.com");
        var report = ReportBuilder.Build(new ReportInputs { Rows = 4, Analysis = acc, ClaimedDomain = "zoosk.com" });

        Assert.Null(report.DomainMismatch!.DominantDomain);
        Assert.Equal(3, report.DomainMismatch.DominantCount);
        Assert.DoesNotContain("smith-family", ReportJson.Serialize(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_FullRunOfTheSynthetic20k_HasNoRowUnderTen()
    {
        var (path, _) = TestDumps.Csv20k;
        var (scan, merged) = FullScan.Run(path);
        using (merged)
        {
            AssertNoSmallRows(ReportJson.Serialize(ReportBuilder.Build(scan.Inputs(merged) with { ClaimedDomain = "gmail.com" })));
        }
    }

    /// <summary>Every row of every counted table holds at least 10 rows, except the one "other" row.</summary>
    internal static void AssertNoSmallRows(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var tables = new (JsonElement Rows, string Label, Func<JsonElement, long> Count)[]
        {
            (root.GetProperty("topEmailDomains"), "name", e => e.GetProperty("count").GetInt64()),
            (root.GetProperty("topEmailTlds"), "name", e => e.GetProperty("count").GetInt64()),
            (root.GetProperty("topCountries"), "name", e => e.GetProperty("count").GetInt64()),
            (root.GetProperty("phoneValidityByCountry"), "region", e => e.GetProperty("valid").GetInt64() + e.GetProperty("invalid").GetInt64()),
            (root.GetProperty("birthDates").GetProperty("years"), "year", e => e.GetProperty("count").GetInt64()),
            (root.GetProperty("enumeration").GetProperty("byCountry"), "region", e => e.GetProperty("numbers").GetInt64()),
        };
        foreach (var (rows, label, count) in tables)
        {
            var others = 0;
            foreach (var row in rows.EnumerateArray())
            {
                var name = row.GetProperty(label);
                var isOther = name.ValueKind == JsonValueKind.Null || name.ToString() == ReportBuilder.OtherRow;
                if (isOther)
                {
                    others++;
                    continue;
                }

                Assert.True(count(row) >= ReportBuilder.MinCountToShow,
                    string.Create(CultureInfo.InvariantCulture, $"{label} {name} is listed with {count(row)} rows"));
            }

            Assert.True(others <= 1, $"more than one other row in the table keyed by {label}");
        }

        foreach (var spike in root.GetProperty("birthDates").GetProperty("spikes").EnumerateArray())
        {
            Assert.True(spike.GetProperty("count").GetInt64() >= ReportBuilder.MinCountToShow);
        }
    }
}

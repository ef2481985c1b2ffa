using System.Globalization;
using System.Text.Json;
using Leakwatch.Core;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>Generated dumps whose truth is known, ingested by the real CLI, checked exactly.</summary>
public class IngestEndToEndTests
{
    internal static readonly string[] ColonColumns = ["phone", "uid", "first_name", "last_name", "gender", "city", "country", "relationship", "employer", "email", "dob"];

    internal static JsonElement Ingest(TempDir dir, string dump, string breach, params string[] extra)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", breach, "--json", .. extra]);
        Assert.True(r.ExitCode == 0, $"ingest failed ({r.ExitCode}): {r.Stderr}");
        return JsonDocument.Parse(r.StdoutLines[^1]).RootElement;
    }

    internal static void AssertCountsMatchTruth(JsonElement stats, GeneratorTruth truth)
    {
        Assert.Equal(truth.Rows, stats.GetProperty("rows").GetInt64());
        Assert.Equal(truth.DuplicateRows, stats.GetProperty("duplicateRows").GetInt64());
        Assert.Equal(truth.InvalidEmail, stats.GetProperty("invalid").GetProperty("email").GetInt64());
        Assert.Equal(truth.InvalidPhone, stats.GetProperty("invalid").GetProperty("phone").GetInt64());
        Assert.Equal(truth.InvalidBirthdate, stats.GetProperty("invalid").GetProperty("birthdate").GetInt64());
        Assert.Equal(truth.DistinctEmails, stats.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.Equal(truth.DistinctPhones, stats.GetProperty("distinct").GetProperty("phone").GetInt64());
    }

    /// <summary>Checks accounts in one process and returns account → breach names.</summary>
    internal static Dictionary<string, string[]> Check(TempDir dir, IReadOnlyCollection<string> accounts, params string[] extra)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "check", "--json", .. extra, .. accounts]);
        Assert.True(r.ExitCode is 0 or 1, $"check failed ({r.ExitCode}): {r.Stderr}");
        var result = new Dictionary<string, string[]>();
        foreach (var line in r.StdoutLines)
        {
            var e = JsonDocument.Parse(line).RootElement;
            result[e.GetProperty("account").GetString()!] = [.. e.GetProperty("breaches").EnumerateArray().Select(x => x.GetString()!)];
        }

        Assert.Equal(accounts.Distinct().Count(), result.Count);
        return result;
    }

    internal static string Plus(ulong e164) => "+" + e164.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Ingest_HeaderlessColonDumpWithColumns_CountsAndLookupsMatchGeneratorTruth()
    {
        using var dir = new TempDir();
        var dump = dir.File("scrape.txt");
        var truth = DumpGenerator.Generate(new GeneratorOptions(20_000, 533, DumpShape.Colon), dump, collectIdentifiers: true);
        var stats = Ingest(dir, dump, "Scrape2019", "--columns", string.Join(',', ColonColumns), "--date", "2019-08-01");
        AssertCountsMatchTruth(stats, truth);
        Assert.Contains("Phone numbers", stats.GetProperty("dataClasses").EnumerateArray().Select(e => e.GetString()));

        var phones = truth.Phones!.Take(150).ToList();
        var emails = truth.Emails!.Take(50).ToList();
        var accounts = phones.Select(Plus).Concat(emails).ToList();
        // Identifiers absent from the dump: real-looking numbers next to ones present, unknown emails.
        var absent = truth.Phones!.Select(p => p + 7919).Where(p => !truth.Phones!.Contains(p)).Take(50).Select(Plus)
            .Concat(Enumerable.Range(0, 20).Select(i => $"absent{i}@example.com")).ToList();
        var answers = Check(dir, [.. accounts, .. absent]);
        foreach (var a in accounts)
        {
            Assert.Equal(["Scrape2019"], answers[a]);
        }

        foreach (var a in absent)
        {
            Assert.Empty(answers[a]);
        }
    }

    [Fact]
    public void Ingest_CsvWithMixedPhoneFormats_CountsAndLookupsMatchGeneratorTruth()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.csv");
        var truth = DumpGenerator.Generate(new GeneratorOptions(20_000, 2025, DumpShape.Csv), dump, collectIdentifiers: true);
        var stats = Ingest(dir, dump, "Leak2025");
        AssertCountsMatchTruth(stats, truth);

        // Look phones up in formats a person types: E.164, spaced, bare country-code digits.
        var phones = truth.Phones!.Take(60).ToList();
        var accounts = phones.Select(Plus)
            .Concat(phones.Select(p => p.ToString(CultureInfo.InvariantCulture)))
            .Concat(phones.Select(p => { var s = Plus(p); return s[..3] + " " + s[3..7] + " " + s[7..]; }))
            .Concat(truth.Emails!.Take(40).Select(e => e.ToUpperInvariant()))
            .ToList();
        var answers = Check(dir, accounts);
        Assert.All(accounts, a => Assert.Equal(["Leak2025"], answers[a]));
    }

    [Fact]
    public void Ingest_RecycledJsonlGz_SharedIdentifiersListBothBreachesOldestFirst()
    {
        using var dir = new TempDir();
        var older = dir.File("older.txt");
        var newer = dir.File("newer.jsonl.gz");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(10_000, 1, DumpShape.Colon), older, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(10_000, 2, DumpShape.JsonLines) { RecycleFrom = older, RecycleRate = 0.3 }, newer, collectIdentifiers: true);
        Ingest(dir, older, "Older", "--columns", string.Join(',', ColonColumns), "--date", "2019-08-01");
        var stats = Ingest(dir, newer, "Newer", "--date", "2025-01-01");
        AssertCountsMatchTruth(stats, t2);

        var shared = t1.Phones!.Where(t2.Phones!.Contains).Take(80).Select(Plus).ToList();
        var onlyNew = t2.Phones!.Where(p => !t1.Phones!.Contains(p)).Take(40).Select(Plus).ToList();
        var onlyOld = t1.Phones!.Where(p => !t2.Phones!.Contains(p)).Take(40).Select(Plus).ToList();
        Assert.NotEmpty(shared);
        var answers = Check(dir, [.. shared, .. onlyNew, .. onlyOld]);
        Assert.All(shared, a => Assert.Equal(["Older", "Newer"], answers[a]));
        Assert.All(onlyNew, a => Assert.Equal(["Newer"], answers[a]));
        Assert.All(onlyOld, a => Assert.Equal(["Older"], answers[a]));

        var removed = LeakwatchProcess.Run([.. dir.Dirs, "remove", "Older"]);
        Assert.Equal(0, removed.ExitCode);
        var after = Check(dir, [.. shared, .. onlyOld]);
        Assert.All(shared, a => Assert.Equal(["Newer"], after[a]));
        Assert.All(onlyOld, a => Assert.Empty(after[a]));
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).ExitCode);
    }

    [Fact]
    public void Check_ExitCodes_TellFoundNotFoundAndInvalid()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.csv");
        var truth = DumpGenerator.Generate(new GeneratorOptions(2_000, 9, DumpShape.Csv), dump, collectIdentifiers: true);
        Ingest(dir, dump, "Small");
        var found = LeakwatchProcess.Run([.. dir.Dirs, "check", truth.Emails!.First()]);
        Assert.Equal(1, found.ExitCode);
        // The advice comes from Core's ExposureAdvice table, the one /api/advice serves to the page.
        Assert.Contains(ExposureAdvice.Rules.Single(r => r.Id == "email").Title, found.Stdout, StringComparison.Ordinal);
        var clean = LeakwatchProcess.Run([.. dir.Dirs, "check", "nobody@example.com"]);
        Assert.Equal(0, clean.ExitCode);
        Assert.DoesNotContain(ExposureAdvice.Rules.Single(r => r.Id == "email").Title, clean.Stdout, StringComparison.Ordinal);
        var invalid = LeakwatchProcess.Run([.. dir.Dirs, "check", "not-an-account"]);
        Assert.Equal(2, invalid.ExitCode);
        Assert.DoesNotContain("not-an-account", invalid.Stderr, StringComparison.Ordinal);
        var dup = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", "small"]);
        Assert.Equal(3, dup.ExitCode);
        Assert.Contains("already exists", dup.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Breaches_Json_HasHibpFieldsWithIngestCounts()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.csv");
        DumpGenerator.Generate(new GeneratorOptions(3_000, 5, DumpShape.Csv), dump);
        Ingest(dir, dump, "Shape", "--title", "Shape Inc", "--domain", "shape.example", "--date", "2024-02-29");
        var r = LeakwatchProcess.Run([.. dir.Dirs, "breaches", "--json"]);
        Assert.Equal(0, r.ExitCode);
        var b = JsonDocument.Parse(r.Stdout).RootElement[0];
        string[] fields = ["Name", "Title", "Domain", "BreachDate", "AddedDate", "ModifiedDate", "PwnCount", "Description", "LogoPath",
            "DataClasses", "IsVerified", "IsFabricated", "IsSensitive", "IsRetired", "IsSpamList", "IsMalware", "IsSubscriptionFree", "IsStealerLog"];
        Assert.Equal(fields, b.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Shape", b.GetProperty("Name").GetString());
        Assert.Equal("2024-02-29", b.GetProperty("BreachDate").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", b.GetProperty("AddedDate").GetString()!);
        Assert.True(b.GetProperty("PwnCount").GetInt64() > 2_500);
        Assert.True(b.GetProperty("IsVerified").GetBoolean());

        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "breach", "set", "shape", "--unverified", "--spam-list"]).ExitCode);
        var after = JsonDocument.Parse(LeakwatchProcess.Run([.. dir.Dirs, "breaches", "--json"]).Stdout).RootElement[0];
        Assert.False(after.GetProperty("IsVerified").GetBoolean());
        Assert.True(after.GetProperty("IsSpamList").GetBoolean());
        Assert.False(after.GetProperty("IsFabricated").GetBoolean());
        Assert.Equal(2, LeakwatchProcess.Run([.. dir.Dirs, "breach", "set", "Shape", "--spam-list", "--not-spam-list"]).ExitCode);
        Assert.Equal(5, LeakwatchProcess.Run([.. dir.Dirs, "breach", "set", "Nope", "--spam-list"]).ExitCode);
    }
}

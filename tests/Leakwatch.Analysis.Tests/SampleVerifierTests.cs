using Leakwatch.Ingest;
using Leakwatch.Reading;

namespace Leakwatch.Analysis.Tests;

public sealed class SampleVerifierTests
{
    [Fact]
    public void Draw_SameSeed_SameRows()
    {
        var (path, _) = TestDumps.Csv20k;
        var (a, population) = SampleVerifier.Draw(path, ReaderOptions.Default, 500, 42);
        var (b, _) = SampleVerifier.Draw(path, ReaderOptions.Default, 500, 42);
        var (c, _) = SampleVerifier.Draw(path, ReaderOptions.Default, 500, 43);

        Assert.Equal(20_000, population);
        Assert.Equal(500, a.Count);
        Assert.Equal(a.Select(r => r.LineNumber), b.Select(r => r.LineNumber));
        Assert.NotEqual(a.Select(r => r.LineNumber).Order(), c.Select(r => r.LineNumber).Order());
        Assert.Equal(500, a.Select(r => r.LineNumber).Distinct().Count());
    }

    [Fact]
    public void Draw_ManySeeds_EveryPartOfTheFileIsSampledEvenly()
    {
        var (path, _) = TestDumps.Small;
        var firstHalf = 0;
        var total = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var (rows, population) = SampleVerifier.Draw(path, ReaderOptions.Default, 100, seed);
            firstHalf += rows.Count(r => r.LineNumber <= population / 2 + 1);
            total += rows.Count;
        }

        // 2,000 draws; a fair sample puts half in each half (sd ≈ 22): 4 sd either side.
        Assert.InRange(firstHalf, total / 2 - 90, total / 2 + 90);
    }

    [Fact]
    public void Draw_SampleLargerThanDump_KeepsEveryRow()
    {
        var (path, truth) = TestDumps.Small;
        var (rows, population) = SampleVerifier.Draw(path, ReaderOptions.Default, 10_000, 1);
        Assert.Equal(truth.Rows, population);
        Assert.Equal(truth.Rows, rows.Count);
    }

    [Fact]
    public void Run_SeveralSeeds_IntervalsContainPopulationRatios()
    {
        var (path, truth) = TestDumps.Csv20k;
        var nonEmptyEmail = truth.Rows - truth.EmptyEmail;
        var nonEmptyPhone = truth.Rows - truth.EmptyPhone;
        var nonEmptyDate = truth.Rows - truth.EmptyBirthdate;
        var expected = new Dictionary<string, double>
        {
            ["email"] = (double)(nonEmptyEmail - truth.InvalidEmail) / nonEmptyEmail,
            ["phone"] = (double)(nonEmptyPhone - truth.InvalidPhone) / nonEmptyPhone,
            ["birthdate"] = (double)(nonEmptyDate - truth.InvalidBirthdate) / nonEmptyDate,
        };

        const int seeds = 12;
        var covered = expected.Keys.ToDictionary(k => k, _ => 0);
        for (var seed = 1; seed <= seeds; seed++)
        {
            var report = SampleVerifier.Run(path, ReaderOptions.Default, new SampleOptions { Size = 1500, Seed = seed, Today = TestDumps.Today },
                null, null, null);
            Assert.NotNull(report.Sample);
            Assert.Equal(1500, report.Rows);
            foreach (var (field, truthValue) in expected)
            {
                var ratio = field switch
                {
                    "email" => report.Validity.Email!,
                    "phone" => report.Validity.Phone!,
                    _ => report.Validity.Birthdate!,
                };
                Assert.NotNull(ratio.Low);
                Assert.NotNull(ratio.High);
                if (ratio.Low <= truthValue && truthValue <= ratio.High)
                {
                    covered[field]++;
                }
            }
        }

        // A 95% interval misses about 1 time in 20; allow 2 misses in 12 per field (P(≥3 misses) ≈ 2%, and these seeds are fixed).
        foreach (var (field, hits) in covered)
        {
            Assert.True(hits >= seeds - 2, $"{field}: {hits}/{seeds} intervals contained the population ratio");
        }
    }

    [Fact]
    public void Run_Sample_EveryRatioHasAnIntervalAndTheLimitsAreStated()
    {
        var (path, _) = TestDumps.Csv20k;
        var report = SampleVerifier.Run(path, ReaderOptions.Default, new SampleOptions { Size = 1000, Seed = 9, Today = TestDumps.Today, ClaimedDomain = "gmail.com" },
            null, null, null);

        var json = ReportJson.Serialize(report);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var ratios = 0;
        Walk(doc.RootElement, e =>
        {
            if (e.ValueKind == System.Text.Json.JsonValueKind.Object && e.TryGetProperty("value", out _) && e.TryGetProperty("low", out var low))
            {
                ratios++;
                Assert.Equal(System.Text.Json.JsonValueKind.Number, low.ValueKind);
                Assert.Equal(System.Text.Json.JsonValueKind.Number, e.GetProperty("high").ValueKind);
            }
        });
        Assert.True(ratios > 20);
        Assert.Equal("sample", report.Enumeration.Scope);
        Assert.DoesNotContain(report.Verdict, f => f.Kind == "likely-scraped-by-enumeration");
        Assert.Contains(report.Sample!.CannotEstablish, s => s.Contains("longest run", StringComparison.Ordinal));
        Assert.Contains(report.Sample.CanEstablish, s => s.Contains('±'));
        Assert.Equal(20_000, report.Sample.PopulationRows);
    }

    [Fact]
    public void Run_WithLookups_OverlapRatiosCountKnownIdentifiers()
    {
        var (path, truth) = TestDumps.Small;
        // A stand-in index: every email is "in" breach 7, no phone is; breach 8 holds nothing.
        var keyFile = Leakwatch.Privacy.KeyFile.Create(Path.Combine(TestDumps.TempDir("key"), "k.key"));
        var hasher = new Leakwatch.Privacy.IdentifierHasher(keyFile);
        var emailKeys = truth.Emails!.Select(e => hasher.HashEmail(e)).ToHashSet();
        int[] Lookup(UInt128 key) => emailKeys.Contains(key) ? [7] : [];

        var report = SampleVerifier.Run(path, ReaderOptions.Default, new SampleOptions { Size = 5000, Seed = 3, Today = TestDumps.Today },
            Lookup, hasher, new Dictionary<int, string> { [7] = "Earlier", [8] = "Unrelated" });

        var earlier = Assert.Single(report.Overlap, o => o.Breach == "Earlier");
        Assert.Equal(1.0, earlier.EmailRatio.Value);
        Assert.Equal(0, earlier.Phones);
        Assert.Contains(report.Overlap, o => o.Breach == "Unrelated" && o.Emails == 0);
        Assert.True(report.SeenBefore!.Exact);
        Assert.Equal(truth.DistinctEmails, report.SeenBefore.Emails);
        // Whole dump sampled: runs are the population's, so the enumeration verdict may be given.
        Assert.True(report.Sample!.Complete);
        Assert.Contains(report.Verdict, f => f.Kind == "likely-scraped-by-enumeration");
    }

    internal static void Walk(System.Text.Json.JsonElement e, Action<System.Text.Json.JsonElement> visit)
    {
        visit(e);
        if (e.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                Walk(p.Value, visit);
            }
        }
        else if (e.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                Walk(item, visit);
            }
        }
    }
}

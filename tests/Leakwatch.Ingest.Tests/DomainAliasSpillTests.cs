using System.Globalization;
using Leakwatch.Index;
using Leakwatch.Ingest.Domains;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// The collectors' background spills: a tiny buffer makes each collector hand dozens of full buffers to background
/// sorts while it keeps adding, and the store built from those runs must answer exactly what a build whose single
/// buffer never spilled before the end answers, and what a naive sorted set says. The aliases are made to stress
/// the sort's shortcuts: many share their first 16 bytes (the prefix the sort compares as two integers), some are
/// shorter than 8 or 16 bytes, exactly 16, or a prefix of another, and duplicates land in different runs. Either way each collector's
/// last buffer is merged from memory, beside the sealed runs read back from disk.
/// </summary>
public sealed class DomainAliasSpillTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void ManyBackgroundSpills_AnswerAsOneRun_AndAsANaiveSet(int seed)
    {
        var random = new Random(seed);
        var keys = KeyFile.Ephemeral();
        var domains = new[] { "a.example", "b.example", "xn--bcher-kva.example", "c.test" };
        var expected = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var emails = new List<string>();
        string[] stems = ["firstname.lastname", "firstnam", "f", "fi", "first", "firstname.lastnamf", "zz", "sixteen.bytes.ab", "sixteen.bytes.a"];
        for (var i = 0; i < 6000; i++)
        {
            var domain = domains[random.Next(domains.Length)];
            var stem = stems[random.Next(stems.Length)];
            var alias = random.Next(3) == 0 ? stem : stem + random.Next(0, 300).ToString(CultureInfo.InvariantCulture);
            emails.Add($"{alias}@{domain}");
            if (!expected.TryGetValue(domain, out var set))
            {
                expected[domain] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(alias);
        }

        var spilled = Build(keys, emails, collectorBudget: 2048, out var runs);
        var single = Build(keys, emails, collectorBudget: 64 << 20, out var singleRuns);
        Assert.True(runs > 20, $"only {runs} runs spilled");
        // A buffer that never filled is not spilled: each collector's last buffer is merged from memory.
        Assert.Equal(0, singleRuns);
        foreach (var d in domains)
        {
            var want = expected.TryGetValue(d, out var set) ? set.ToList() : [];
            Assert.Equal(want, spilled[d]);
            Assert.Equal(want, single[d]);
        }
    }

    private static Dictionary<string, List<string>> Build(KeyFile keys, List<string> emails, int collectorBudget, out int runs)
    {
        var dir = Directory.CreateTempSubdirectory("lw-domain-spill-").FullName;
        try
        {
            var store = new ExposureIndexStore(dir);
            string path;
            using (var build = new DomainStoreBuild(keys, store.TempDir, 1 << 20, 2) { MaxPageBytes = 200, CollectorBudgetBytes = collectorBudget })
            {
                var workers = new[] { build.NewCollector(), build.NewCollector() };
                for (var i = 0; i < emails.Count; i++)
                {
                    workers[i % 2].Add(emails[i]);
                }

                path = build.Prepare(store, Manifest.Empty, CancellationToken.None);
                runs = workers[0].Runs.Count + workers[1].Runs.Count;
            }

            var answers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            using var reader = DomainStoreReader.Open(Path.Combine(dir, path), keys);
            foreach (var d in new[] { "a.example", "b.example", "xn--bcher-kva.example", "c.test" })
            {
                answers[d] = reader.Aliases(d);
            }

            return answers;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

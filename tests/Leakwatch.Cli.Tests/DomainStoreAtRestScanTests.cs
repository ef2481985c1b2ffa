using System.Globalization;
using System.Text;

namespace Leakwatch.Cli.Tests;

/// <summary>
/// The at-rest scan over the domain store (issue 16): after two ingests (the second merging into the first's
/// store, touching some domains and not others), no address, no alias and no domain name is in the domain store in
/// any form, and no address or alias anywhere under the data dir. Domain names are looked for in the domain store's
/// files only: the verification report in the catalogue names a dump's top email domains by design.
/// </summary>
public sealed class DomainStoreAtRestScanTests
{
    [Fact]
    public void DataDir_AfterIngestsWithTheDomainStore_HoldsNoAliasAddressOrDomain()
    {
        using var dir = new TempDir();
        var domains = new List<string>();
        var emails = new List<string>();
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        for (var d = 0; d < 6; d++)
        {
            domains.Add($"scandomain{d}-{Guid.NewGuid():N}"[..24] + ".com");
        }

        var first = new StringBuilder("email\n");
        var second = new StringBuilder("email\n");
        for (var i = 0; i < 600; i++)
        {
            var alias = "alias" + i.ToString("D4", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..6];
            var domain = domains[i % domains.Count];
            var email = alias + "@" + domain;
            aliases.Add(alias);
            emails.Add(email);
            // The second dump holds only the first three domains: the others are copied untouched.
            (i % domains.Count < 3 && i % 2 == 0 ? second : first).Append(email).Append('\n');
        }

        File.WriteAllText(dir.File("first.csv"), first.ToString());
        File.WriteAllText(dir.File("second.csv"), second.ToString());
        var r1 = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dir.File("first.csv"), "--breach", "First", "--json"]);
        var r2 = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dir.File("second.csv"), "--breach", "Second", "--json"]);
        Assert.True(r1.ExitCode == 0, r1.Stderr);
        Assert.True(r2.ExitCode == 0, r2.Stderr);
        // Every address went into the store (the scan below would pass trivially over an empty one).
        long Pairs(string stdout) => System.Text.Json.JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement
            .GetProperty("domainStore").GetProperty("pairs").GetInt64();
        Assert.Equal(emails.Count, Pairs(r1.Stdout) + Pairs(r2.Stdout));

        var files = Directory.EnumerateFiles(dir.DataDir, "*", SearchOption.AllDirectories).ToList();
        var store = files.Where(f => f.EndsWith(".lwd", StringComparison.Ordinal)).ToList();
        // Both generations: the first is retained for replicas still reading it (GenerationRetention), and scanned too.
        Assert.Equal(2, store.Count);
        Assert.All(store, f => Assert.True(new FileInfo(f).Length > 1000));

        var people = new List<byte[]>();
        foreach (var text in emails.Concat(aliases))
        {
            people.AddRange(PrivacyScanTests.Forms(text));
            people.AddRange(PrivacyScanTests.Forms(text.ToUpperInvariant()));
        }

        Assert.Empty(PrivacyScanTests.Scan(files, people));
        var names = domains.SelectMany(PrivacyScanTests.Forms).ToList();
        Assert.Empty(PrivacyScanTests.Scan(store, names));
        Assert.Empty(PrivacyScanTests.Scan(store, people));

        // The scan can fail: an alias planted beside the store is found.
        var planted = Path.Combine(dir.DataDir, "domains", "planted.bin");
        File.WriteAllBytes(planted, [0, .. Encoding.UTF8.GetBytes(aliases.First()), 1]);
        Assert.Single(PrivacyScanTests.Scan([planted], people));
        var outputs = dir.File("outputs.txt");
        File.WriteAllText(outputs, r1.Stdout + r1.Stderr + r2.Stdout + r2.Stderr);
        Assert.Empty(PrivacyScanTests.Scan([outputs], people));
    }
}

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
        // What the store cost is reported in parts of its own time: the publish's wait for it is part of it.
        foreach (var stdout in new[] { r1.Stdout, r2.Stdout })
        {
            var cost = System.Text.Json.JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.GetProperty("domainStore");
            var seconds = cost.GetProperty("seconds").GetDouble();
            Assert.InRange(cost.GetProperty("sortSeconds").GetDouble(), 0, seconds);
            Assert.InRange(cost.GetProperty("waitSeconds").GetDouble(), 0, seconds + 0.001);
        }

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

    /// <summary>
    /// The domain store's spilled runs while an ingest runs: an ingest with 1 MB of sort memory (the domain buffers' floor of 1 MB a worker) is held in its read phase
    /// (after spilling), every open, already unlinked <c>domains-*.run</c> file of the process is read through
    /// <c>/proc/PID/fd</c>, and none holds an address, an alias or a domain name in any form: the runs are sealed under
    /// a key that lives only in the process.
    /// </summary>
    [Fact]
    public async Task SpilledAliasRuns_OfARunningIngest_HoldNoAliasAddressOrDomain()
    {
        using var dir = new TempDir();
        var domains = Enumerable.Range(0, 4).Select(d => $"spill{d}-{Guid.NewGuid():N}"[..20] + ".com").ToList();
        var emails = new List<string>();
        var csv = new StringBuilder("email\n");
        // Each reading worker buffers at least 1 MB of aliases before it spills: 120k long aliases make several runs.
        for (var i = 0; i < 120_000; i++)
        {
            var email = "alias" + i.ToString("D6", CultureInfo.InvariantCulture) + "-padded-to-spill-sooner@" + domains[i % domains.Count];
            emails.Add(email);
            csv.Append(email).Append('\n');
        }

        var dump = dir.File("spill.csv");
        File.WriteAllText(dump, csv.ToString());
        using var p = System.Diagnostics.Process.Start(LeakwatchProcess.StartInfo([.. dir.Dirs, "ingest", dump, "--breach", "Spill", "--memory", "1"],
            new Dictionary<string, string> { ["LEAKWATCH_TEST_PAUSE_AT"] = "reading" }))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var copies = new List<string>();
        try
        {
            while (await p.StandardError.ReadLineAsync() is { } line && !line.Contains("LEAKWATCH_TEST_PAUSE_AT=reading reached", StringComparison.Ordinal))
            {
            }

            var stderr = p.StandardError.ReadToEndAsync();
            // The runs are written beside the readers: a run may be open and still empty. Copy every open run again
            // on each look until they hold enough to scan (the ingest is held, so they stop growing once flushed).
            var byFd = new Dictionary<string, string>(StringComparer.Ordinal);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !p.HasExited)
            {
                foreach (var fd in Directory.GetFiles($"/proc/{p.Id}/fd"))
                {
                    var target = new FileInfo(fd).LinkTarget ?? "";
                    if (target.Contains("/domains-", StringComparison.Ordinal) && target.Contains(".run", StringComparison.Ordinal))
                    {
                        var copy = byFd.TryGetValue(fd, out var known) ? known : byFd[fd] = dir.File($"run-{byFd.Count}.bin");
                        File.WriteAllBytes(copy, File.ReadAllBytes(fd));
                    }
                }

                copies = [.. byFd.Values];
                if (copies.Sum(c => new FileInfo(c).Length) > 10_000)
                {
                    break;
                }

                await Task.Delay(200);
            }

            Assert.True(copies.Count > 0, $"no spilled domain run was open; exited {p.HasExited}: {(p.HasExited ? await stderr : "")}");
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        Assert.True(copies.Sum(c => new FileInfo(c).Length) > 10_000, "the runs read are nearly empty: nothing was scanned");
        var needles = new List<byte[]>();
        foreach (var email in emails.Take(2000))
        {
            needles.AddRange(PrivacyScanTests.Forms(email));
            needles.AddRange(PrivacyScanTests.Forms(email[..email.IndexOf('@', StringComparison.Ordinal)]));
        }

        needles.AddRange(domains.SelectMany(PrivacyScanTests.Forms));
        Assert.Empty(PrivacyScanTests.Scan(copies, needles));
        _ = await stdout;
    }
}

using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Leakwatch.Privacy;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>Greps everything Leakwatch wrote for every identifier of its input, in every form it could leak in.</summary>
public class PrivacyScanTests
{
    /// <summary>All byte forms of an identifier that must never appear at rest.</summary>
    internal static IEnumerable<byte[]> Forms(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        yield return utf8;
        yield return Encoding.Unicode.GetBytes(text); // UTF-16 (e.g. SQLite text in UTF-16, .NET dumps)
        foreach (var hash in new[] { SHA1.HashData(utf8), SHA256.HashData(utf8), MD5.HashData(utf8) })
        {
            yield return hash;
            yield return Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash));
            yield return Encoding.ASCII.GetBytes(Convert.ToHexString(hash));
            yield return Encoding.ASCII.GetBytes(Convert.ToBase64String(hash));
        }
    }

    internal static IEnumerable<string> PhoneTexts(ulong e164)
    {
        var digits = e164.ToString(CultureInfo.InvariantCulture);
        yield return digits;
        yield return "+" + digits;
    }

    /// <summary>Finds any needle in any file under the roots, by hashing every window of each needle length.</summary>
    internal static List<string> Scan(IEnumerable<string> files, IEnumerable<byte[]> needles)
    {
        var byLength = new Dictionary<int, HashSet<ulong>>();
        foreach (var n in needles)
        {
            if (n.Length < 6)
            {
                continue;
            }

            if (!byLength.TryGetValue(n.Length, out var set))
            {
                byLength[n.Length] = set = [];
            }

            set.Add(XxHash3.HashToUInt64(n));
        }

        var hits = new List<string>();
        foreach (var file in files)
        {
            var data = File.ReadAllBytes(file);
            foreach (var (len, set) in byLength)
            {
                for (var i = 0; i + len <= data.Length; i++)
                {
                    if (set.Contains(XxHash3.HashToUInt64(data.AsSpan(i, len))))
                    {
                        hits.Add($"{file} @ {i} (length {len})");
                        break;
                    }
                }
            }
        }

        return hits;
    }

    [Fact]
    public void DataDir_AfterIngestAndChecks_HoldsNoIdentifierInAnyForm()
    {
        using var dir = new TempDir();
        var csv = dir.File("leak.csv");
        var colon = dir.File("scrape.txt");
        var truthCsv = DumpGenerator.Generate(new GeneratorOptions(3_000, 77, DumpShape.Csv), csv, collectIdentifiers: true);
        var truthColon = DumpGenerator.Generate(new GeneratorOptions(3_000, 78, DumpShape.Colon) { RecycleFrom = csv, RecycleRate = 0.2 }, colon, collectIdentifiers: true);
        var outputs = new StringBuilder();
        var r1 = LeakwatchProcess.Run([.. dir.Dirs, "ingest", csv, "--breach", "A", "--json"]);
        var r2 = LeakwatchProcess.Run([.. dir.Dirs, "ingest", colon, "--breach", "B", "--columns", string.Join(',', IngestEndToEndTests.ColonColumns)]);
        var r3 = LeakwatchProcess.Run([.. dir.Dirs, "breach", "A", "--json"]);
        var r4 = LeakwatchProcess.Run([.. dir.Dirs, "check", "not-valid-account-xyz"]);
        foreach (var r in new[] { r1, r2, r3, r4 })
        {
            outputs.Append(r.Stdout).Append(r.Stderr);
        }

        Assert.Equal(0, r1.ExitCode);
        Assert.Equal(0, r2.ExitCode);
        var texts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in new[] { truthCsv, truthColon })
        {
            foreach (var e in t.Emails!)
            {
                texts.Add(e);
                texts.Add(e.ToUpperInvariant());
            }

            foreach (var p in t.Phones!)
            {
                foreach (var s in PhoneTexts(p))
                {
                    texts.Add(s);
                }
            }
        }

        Assert.True(texts.Count > 4000);
        var needles = texts.SelectMany(Forms).ToList();
        var files = Directory.EnumerateFiles(dir.DataDir, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith(".lwx", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("catalog.db", StringComparison.Ordinal));
        Assert.Empty(Scan(files, needles));

        var outFile = dir.File("outputs.txt");
        File.WriteAllText(outFile, outputs.ToString());
        Assert.Empty(Scan([outFile], needles));

        // The scan itself must be able to fail: an identifier planted in the data dir is found.
        var planted = Path.Combine(dir.DataDir, "planted.bin");
        File.WriteAllBytes(planted, [0, 1, .. SHA256.HashData(Encoding.UTF8.GetBytes(truthCsv.Emails!.First())), 2]);
        Assert.Single(Scan([planted], needles));
    }

    /// <summary>The scan over the stealer-log stores (issue 16): after two stealer-log ingests (the second merging into
    /// the first's stores), no email, alias, email domain, password or website domain is anywhere in the data dir
    /// (the website store and the stores by email domain and by website domain included) or the outputs in clear. Emails and domains are also looked for as unkeyed hashes; passwords only in clear, since
    /// the password store holds their SHA-1 and NTLM by design.</summary>
    [Fact]
    public void DataDir_AfterStealerLogIngests_HoldsNoEmailPasswordOrWebsite()
    {
        using var dir = new TempDir();
        var first = dir.File("first.txt");
        var second = dir.File("second.txt");
        var truths = new[] { global::Leakwatch.Tests.Shared.UlpTestFile.Write(first, 2_000, 31), global::Leakwatch.Tests.Shared.UlpTestFile.Write(second, 500, 32, tag: "b") };
        var outputs = new StringBuilder();
        foreach (var (file, breach) in new[] { (first, "StealerA"), (second, "StealerB") })
        {
            var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", file, "--breach", breach, "--format", "ulp", "--json"]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            outputs.Append(r.Stdout).Append(r.Stderr);
        }

        var hashed = new HashSet<string>(StringComparer.Ordinal);
        var clearOnly = new HashSet<string>(StringComparer.Ordinal);
        var emailDomains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in truths)
        {
            foreach (var e in t.WebsitesByEmail.Keys.Concat(t.BadLineEmails))
            {
                hashed.Add(e);
                hashed.Add(e.ToUpperInvariant());
                // The stores by email domain and by website hold aliases and domains: neither in clear.
                hashed.Add(e[..e.IndexOf('@', StringComparison.Ordinal)]);
                emailDomains.Add(e[(e.IndexOf('@', StringComparison.Ordinal) + 1)..]);
            }

            hashed.UnionWith(t.Websites);
            clearOnly.UnionWith(t.PasswordCounts.Keys);
        }

        var needles = hashed.SelectMany(Forms)
            .Concat(clearOnly.SelectMany(p => new[] { Encoding.UTF8.GetBytes(p), Encoding.Unicode.GetBytes(p) })).ToList();
        var files = Directory.EnumerateFiles(dir.DataDir, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith(".lws", StringComparison.Ordinal) && Path.GetFileName(f).StartsWith("sites-", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".lws", StringComparison.Ordinal) && Path.GetFileName(f).StartsWith("email-domains-", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".lws", StringComparison.Ordinal) && Path.GetFileName(f).StartsWith("websites-", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".lwp", StringComparison.Ordinal));
        Assert.Empty(Scan(files, needles));
        // Email domains: nowhere but the catalogue, whose verification report names a breach's top email domains by design.
        Assert.Empty(Scan([.. files.Where(f => !Path.GetFileName(f).StartsWith("catalog.db", StringComparison.Ordinal))], [.. emailDomains.SelectMany(Forms)]));
        var outFile = dir.File("outputs.txt");
        File.WriteAllText(outFile, outputs.ToString());
        Assert.Empty(Scan([outFile], needles));

        // The scan can fail: a website domain planted in clear is found.
        var planted = Path.Combine(dir.DataDir, "planted.bin");
        File.WriteAllBytes(planted, [0, .. Encoding.UTF8.GetBytes(truths[0].Websites.First()), 1]);
        Assert.Single(Scan([planted], needles));
    }

    [Fact]
    public void KeyFile_CreatedOutsideDataDirWithMode0600()
    {
        using var dir = new TempDir();
        var csv = dir.File("leak.csv");
        DumpGenerator.Generate(new GeneratorOptions(500, 1, DumpShape.Csv), csv);
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "ingest", csv, "--breach", "A"]).ExitCode);
        Assert.True(File.Exists(dir.KeyFile));
        Assert.False(dir.KeyFile.StartsWith(dir.DataDir + "/", StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.KeyFile));

        // Without the key the data dir answers nothing; with a different key it refuses.
        var other = dir.File("other.key");
        var r = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "--key-file", dir.File("missing.key"), "check", "a@b.com"]);
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("key file not found", r.Stderr, StringComparison.Ordinal);

        // A valid key file that is not the index's own would hash every account to keys the index never holds, and
        // answer "not found" for everyone: it must be refused before any lookup, with no answer printed.
        KeyFile.Create(other);
        var exposed = DumpGenerator.Generate(new GeneratorOptions(500, 1, DumpShape.Csv), dir.File("again.csv"), collectIdentifiers: true).Emails!.First();
        Assert.Equal(1, LeakwatchProcess.Run([.. dir.Dirs, "check", exposed]).ExitCode);
        var mismatched = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "--key-file", other, "check", exposed]);
        Assert.Equal(4, mismatched.ExitCode);
        Assert.Contains($"{other}: key file does not match the index", mismatched.Stderr, StringComparison.Ordinal);
        Assert.Empty(mismatched.Stdout.Trim());
    }
}

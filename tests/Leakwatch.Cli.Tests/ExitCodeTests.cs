using System.Globalization;
using System.Text.RegularExpressions;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>
/// Every exit code in the README's "Exit codes" table, provoked through the real binary the way a person would
/// meet it. The codes come from the README itself, so a row added there without a scenario here fails.
/// </summary>
public sealed partial class ExitCodeTests : IClassFixture<ExitCodeTests.PublishedIndex>
{
    private readonly PublishedIndex _index;

    public ExitCodeTests(PublishedIndex index) => _index = index;

    /// <summary>A data dir with one small breach and one account known to be in it.</summary>
    public sealed class PublishedIndex : IDisposable
    {
        public PublishedIndex()
        {
            Dir = new TempDir();
            var csv = Dir.File("small.csv");
            var truth = DumpGenerator.Generate(new GeneratorOptions(500, 7, DumpShape.Csv), csv, collectIdentifiers: true);
            KnownEmail = truth.Emails!.First();
            var r = LeakwatchProcess.Run([.. Dir.Dirs, "ingest", csv, "--breach", "Small"]);
            Assert.True(r.ExitCode == 0, r.Stderr);
        }

        public TempDir Dir { get; }

        public string KnownEmail { get; }

        public void Dispose() => Dir.Dispose();
    }

    public static TheoryData<int> DocumentedCodes()
    {
        var data = new TheoryData<int>();
        foreach (var code in ReadmeExitCodes())
        {
            data.Add(code);
        }

        return data;
    }

    [Fact]
    public void ReadmeTable_IsFoundAndHasTheCodesEveryCommandUses()
    {
        // Guards the parser: an empty or misread table would make the theory below vacuous.
        Assert.Superset(new HashSet<int> { 0, 1, 2, 3, 4, 5, 70 }, ReadmeExitCodes().ToHashSet());
    }

    [Theory]
    [MemberData(nameof(DocumentedCodes))]
    public void DocumentedExitCode_IsWhatTheBinaryReturns(int code)
    {
        Assert.False(code == ExitCodes.Interrupted && LeakwatchProcess.SigintIgnored(), LeakwatchProcess.SigintIgnoredMessage);
        var scenarios = Scenarios().Where(s => s.Code == code).ToList();
        Assert.True(scenarios.Count > 0, $"the README documents exit code {code}, but no scenario here provokes it");
        foreach (var scenario in scenarios)
        {
            var r = scenario.Run();
            Assert.True(r.ExitCode == code, $"{scenario.Name}: expected exit {code}, got {r.ExitCode}; stderr: {r.Stderr}");
            Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
            if (code >= ExitCodes.Usage)
            {
                // The kill-point hook's own line (tests only) comes before the command's message.
                var lines = r.StderrLines.Where(l => !l.StartsWith("test hook:", StringComparison.Ordinal)).ToArray();
                Assert.True(lines.Length >= 1, $"{scenario.Name}: no message on stderr");
                Assert.StartsWith("leakwatch:", lines[0], StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void EveryScenario_ProvokesADocumentedCode()
    {
        var documented = ReadmeExitCodes().ToHashSet();
        Assert.All(Scenarios(), s => Assert.Contains(s.Code, documented));
    }

    private sealed record Scenario(string Name, int Code, Func<LeakwatchProcess.Result> Run);

    private IEnumerable<Scenario> Scenarios()
    {
        var dirs = _index.Dir.Dirs;
        yield return new("check an account in no breach", 0,
            () => LeakwatchProcess.Run([.. dirs, "check", "nobody-" + Guid.NewGuid().ToString("N")[..8] + "@example.org"]));
        yield return new("check an account in a breach", 1, () => LeakwatchProcess.Run([.. dirs, "check", _index.KnownEmail]));
        yield return new("unknown option", 2, () => LeakwatchProcess.Run([.. dirs, "check", "--no-such-option", "a@example.org"]));
        yield return new("check something that is neither email nor phone", 2, () => LeakwatchProcess.Run([.. dirs, "check", "not-an-account"]));
        yield return new("ingest a file with no data rows", 3, IngestEmptyDump);
        yield return new("ingest with a key file that does not match the index", 4, IngestWithForeignKeyFile);
        yield return new("serve over a corrupt password store", 4, ServeCorruptPasswordStore);
        yield return new("keys list with a PostgreSQL state store nothing listens for", 69, () => LeakwatchProcess.Run(
            [.. dirs, "--state", $"postgresql://leakwatch@127.0.0.1:{Leakwatch.TestSupport.ServiceScript.FreePort()}/leakwatch", "keys", "list"]));
        yield return new("ingest while another writer holds the data dir's lock", 4, IngestWhileLocked);
        yield return new("show a breach that does not exist", 5, () => LeakwatchProcess.Run([.. dirs, "breach", "NoSuchBreach"]));
        yield return new("Ctrl-C during an ingest's merge", 130, IngestInterrupted);
        yield return new("an internal fault (injected)", 70, () => LeakwatchProcess.Run([.. dirs, "breaches"], environment:
            new Dictionary<string, string> { ["LEAKWATCH_TEST_FAULT"] = "internal" }));
    }

    /// <summary>SIGINT through the real signal handling (the kill-point hook sends it to the process itself) once the
    /// merge is under way: 70,000 rows, more than one progress interval (65,536 entries), so the merge reports
    /// progress and sees the cancellation.</summary>
    private LeakwatchProcess.Result IngestInterrupted()
    {
        var dump = _index.Dir.File($"interrupted-{Guid.NewGuid():N}.csv");
        var rows = new System.Text.StringBuilder("email\n");
        for (var i = 0; i < 70_000; i++)
        {
            rows.Append("ctrl-c-").Append(i).Append("@example.net\n");
        }

        File.WriteAllText(dump, rows.ToString());
        return LeakwatchProcess.Run([.. _index.Dir.Dirs, "ingest", dump, "--breach", "Interrupted"], environment:
            new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "merging", ["LEAKWATCH_TEST_KILL_SIGNAL"] = "INT" });
    }

    private LeakwatchProcess.Result IngestEmptyDump()
    {
        var empty = _index.Dir.File($"empty-{Guid.NewGuid():N}.csv");
        File.WriteAllText(empty, "email,name\n");
        return LeakwatchProcess.Run([.. _index.Dir.Dirs, "ingest", empty, "--breach", "Empty"]);
    }

    private LeakwatchProcess.Result IngestWithForeignKeyFile()
    {
        using var other = new TempDir();
        var created = LeakwatchProcess.Run(["--data-dir", other.DataDir, "--key-file", other.KeyFile, "ingest", _index.Dir.File("small.csv"), "--breach", "Other"]);
        Assert.True(created.ExitCode == 0, created.Stderr);
        var r = LeakwatchProcess.Run(["--data-dir", _index.Dir.DataDir, "--key-file", other.KeyFile, "ingest", _index.Dir.File("small.csv"), "--breach", "Again"]);
        Assert.Contains("does not match", r.Stderr, StringComparison.Ordinal);
        return r;
    }

    private LeakwatchProcess.Result IngestWhileLocked()
    {
        // The lock an ingest or remove holds: .lock in the data dir, opened exclusively (an flock on Linux).
        using var held = new FileStream(Path.Combine(_index.Dir.DataDir, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        var r = LeakwatchProcess.Run([.. _index.Dir.Dirs, "ingest", _index.Dir.File("small.csv"), "--breach", "WhileLocked"]);
        Assert.Contains("lock", r.Stderr, StringComparison.Ordinal);
        return r;
    }

    private static LeakwatchProcess.Result ServeCorruptPasswordStore()
    {
        using var dir = new TempDir();
        var hashes = dir.File("passwords.txt");
        File.WriteAllText(hashes, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n");
        var ingested = LeakwatchProcess.Run([.. dir.Dirs, "ingest-passwords", hashes]);
        Assert.True(ingested.ExitCode == 0, ingested.Stderr);
        var file = Directory.GetFiles(Path.Combine(dir.DataDir, "passwords"), "*.lwp").Single();
        using (var fs = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            fs.Position = 30;
            fs.WriteByte((byte)(fs.ReadByte() ^ 0x55));
        }

        // Were the store accepted the server would run until the timeout, which fails the test as a TimeoutException.
        return LeakwatchProcess.Run([.. dir.Dirs, "serve", "--urls", "http://127.0.0.1:0"], timeoutMs: 60_000);
    }

    private static IEnumerable<int> ReadmeExitCodes()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        var start = Array.FindIndex(lines, l => l.Trim() == "### Exit codes");
        Assert.True(start >= 0, "README.md has no '### Exit codes' section");
        foreach (var line in lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')))
        {
            var m = TableRow().Match(line);
            if (m.Success)
            {
                yield return int.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Leakwatch.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Leakwatch.slnx not found above the test binaries");
    }

    [GeneratedRegex(@"^\|\s*(?<code>\d+)\s*\|", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TableRow();
}

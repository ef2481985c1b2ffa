using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>kill -9 during ingest at several points: the previous index must stay served whole.</summary>
public class CrashTests
{
    // The ingest's own kill hook (LEAKWATCH_TEST_KILL_AT, src/Leakwatch.Storage/TestKillPoint.cs) SIGKILLs
    // the process at the named point, so each kill lands in the phase it names whatever the machine's speed.
    public static TheoryData<string> KillPoints => ["reading", "spilled", "merged", "publishing"];

    [Theory]
    [MemberData(nameof(KillPoints))]
    public void Ingest_KilledAtPoint_PreviousIndexServedWholeAndNextIngestSucceeds(string point)
    {
        using var dir = new TempDir();
        var first = dir.File("first.csv");
        var second = dir.File("second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(5_000, 10, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(300_000, 11, DumpShape.Csv), second, collectIdentifiers: true);
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "ingest", first, "--breach", "First"]).ExitCode);
        var manifestPath = Path.Combine(dir.DataDir, "manifest.json");
        var manifestBefore = File.ReadAllText(manifestPath);
        var indexDir = Path.Combine(dir.DataDir, "index");
        var indexFilesBefore = Directory.GetFiles(indexDir).Length;

        // A tiny sort budget makes the sorters spill, so every phase leaves files behind.
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second", "--memory", "2"],
            environment: new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = point });
        Assert.True(killed.ExitCode == 128 + 9, $"exit {killed.ExitCode}, not SIGKILL: {killed.Stderr}");
        Assert.Contains($"LEAKWATCH_TEST_KILL_AT={point} reached", killed.Stderr, StringComparison.Ordinal);
        // The kill left the phase's own leftovers: spilled runs before the merge, an unpublished generation after it.
        if (point is "reading" or "spilled")
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.DataDir, "tmp")));
        }
        else
        {
            Assert.True(Directory.GetFiles(indexDir).Length > indexFilesBefore, "no unpublished generation in index/");
        }

        Assert.Equal(manifestBefore, File.ReadAllText(manifestPath));

        // Whatever the moment, fsck is clean and every old identifier still answers.
        var fsck = LeakwatchProcess.Run([.. dir.Dirs, "fsck"]);
        Assert.True(fsck.ExitCode == 0, fsck.Stderr);
        var accounts = t1.Emails!.Take(30).ToList();
        var answers = IngestEndToEndTests.Check(dir, accounts);
        Assert.All(accounts, a => Assert.Contains("First", answers[a]));

        // The interrupted breach is absent, and can be ingested again from scratch.
        var phone = IngestEndToEndTests.Plus(t2.Phones!.First());
        Assert.DoesNotContain("Second", IngestEndToEndTests.Check(dir, [phone])[phone]);
        var again = LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second", "--json"]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        IngestEndToEndTests.AssertCountsMatchTruth(System.Text.Json.JsonDocument.Parse(again.StdoutLines[^1]).RootElement, t2);
        Assert.Contains("Second", IngestEndToEndTests.Check(dir, [phone])[phone]);
        Assert.Empty(Directory.Exists(Path.Combine(dir.DataDir, "tmp")) ? Directory.GetFiles(Path.Combine(dir.DataDir, "tmp")) : []);
    }
}

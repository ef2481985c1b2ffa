using System.Diagnostics;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>kill -9 during ingest at several points: the previous index must stay served whole.</summary>
public class CrashTests
{
    public static TheoryData<string> KillPoints => ["reading", "spilling", "merging", "late"];

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

        // A tiny sort budget makes the sorters spill, so every phase leaves files to watch for.
        var psi = LeakwatchProcess.StartInfo([.. dir.Dirs, "ingest", second, "--breach", "Second", "--memory", "2"]);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var killed = WaitForPoint(p, dir.DataDir, point);
        p.WaitForExit();
        Assert.True(killed, $"the ingest finished before reaching the '{point}' kill point");
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

    /// <summary>Polls the data dir for the phase's footprint and SIGKILLs the ingest there.</summary>
    private static bool WaitForPoint(Process p, string dataDir, string point)
    {
        var tmp = Path.Combine(dataDir, "tmp");
        var index = Path.Combine(dataDir, "index");
        var initialIndexFiles = Directory.GetFiles(index).Length;
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var hit = point switch
            {
                "reading" => clock.ElapsedMilliseconds > 300,
                "spilling" => Directory.Exists(tmp) && Directory.GetFiles(tmp).Length >= 2,
                "merging" => Directory.GetFiles(index).Length > initialIndexFiles,
                "late" => Directory.GetFiles(index).Length > initialIndexFiles
                          && Directory.GetFiles(index).Any(f => new FileInfo(f).Length > 2_000_000),
                _ => throw new ArgumentOutOfRangeException(nameof(point)),
            };
            if (hit)
            {
                try
                {
                    p.Kill(entireProcessTree: true); // SIGKILL
                    return true;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }

            Thread.Sleep(1);
        }

        return false;
    }
}

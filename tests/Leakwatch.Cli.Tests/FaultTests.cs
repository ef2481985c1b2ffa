using System.Diagnostics;
using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>
/// The faults of issue 13 (Build 14-15) that fit a test's time: kill -9 at the private tier's awkward points and in
/// remove, a disk that fills mid-ingest, Ctrl-C in the merge and the OPRF phase. Kills land through the binary's own
/// hook (LEAKWATCH_TEST_KILL_AT, src/Leakwatch.Storage/TestKillPoint.cs); bench/faults.sh runs the random 20.
/// </summary>
public sealed class FaultTests
{
    private static readonly Dictionary<string, string> SmallChunks = new() { ["LEAKWATCH_PRIVATE_CHUNK"] = "500" };

    private static Dictionary<string, string> KillAt(string point, string? signal = null)
    {
        var env = new Dictionary<string, string>(SmallChunks) { ["LEAKWATCH_TEST_KILL_AT"] = point };
        if (signal is not null)
        {
            env["LEAKWATCH_TEST_KILL_SIGNAL"] = signal;
        }

        return env;
    }

    private static (TempDir Dir, GeneratorTruth First, string Second, GeneratorTruth SecondTruth) TwoDumps(int secondRecords, bool privately)
    {
        var dir = new TempDir();
        var first = dir.File("first.csv");
        var second = dir.File("second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(3_000, 21, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(secondRecords, 22, DumpShape.Csv), second, collectIdentifiers: true);
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", first, "--breach", "First", .. (privately ? new[] { "--private" } : [])], environment: SmallChunks);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return (dir, t1, second, t2);
    }

    private static void AssertFsckCleanWithoutOrphans(TempDir dir)
    {
        var fsck = LeakwatchProcess.Run([.. dir.Dirs, "fsck"]);
        Assert.True(fsck.ExitCode == 0, fsck.Stderr);
        Assert.DoesNotContain("orphaned file", fsck.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void IngestPrivate_KilledJustAfterThePrivatePublish_StatusAndResumeSayOnlyCleanUpIsLeft()
    {
        var (dir, _, second, t2) = TwoDumps(3_000, privately: true);
        using var _ = dir;
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second", "--private"], environment: KillAt("private-published"));
        Assert.True(killed.ExitCode == 137, $"exit {killed.ExitCode}: {killed.Stderr}");
        var generation = PrivateGeneration(dir);

        var status = LeakwatchProcess.Run([.. dir.Dirs, "private", "status"]);
        Assert.Contains("only cleans up", status.Stdout, StringComparison.Ordinal);
        var resumed = LeakwatchProcess.Run([.. dir.Dirs, "private", "resume", "--json"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var result = JsonDocument.Parse(resumed.StdoutLines[^1]).RootElement;
        Assert.True(result.GetProperty("alreadyPublished").GetBoolean());
        Assert.Equal(0, result.GetProperty("evaluated").GetInt64());
        // Nothing merged again: the published generation is the one the killed run wrote.
        Assert.Equal(generation, PrivateGeneration(dir));
        Assert.False(Directory.Exists(Path.Combine(dir.DataDir, "private", "build")));
        var email = t2.Emails!.First();
        Assert.Contains("Second", IngestEndToEndTests.Check(dir, [email], "--private")[email]);
        AssertFsckCleanWithoutOrphans(dir);
    }

    [Fact]
    public void IngestPrivate_KilledBeforeThePlainPublish_StatusAndResumeAgreeNothingIsLeftToResume()
    {
        var (dir, _, second, _) = TwoDumps(3_000, privately: true);
        using var _ = dir;
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second", "--private"], environment: KillAt("spilled"));
        Assert.True(killed.ExitCode == 137, $"exit {killed.ExitCode}: {killed.Stderr}");

        var status = LeakwatchProcess.Run([.. dir.Dirs, "private", "status"]);
        Assert.Contains("nothing to resume", status.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("run `leakwatch private resume`", status.Stdout, StringComparison.Ordinal);
        var resumed = LeakwatchProcess.Run([.. dir.Dirs, "private", "resume"]);
        Assert.True(resumed.ExitCode == ExitCodes.NotFound, $"exit {resumed.ExitCode}: {resumed.Stderr}");
        Assert.Contains("nothing to resume", resumed.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("unfinished", LeakwatchProcess.Run([.. dir.Dirs, "private", "status"]).Stdout, StringComparison.Ordinal);

        var again = LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second", "--private"], environment: SmallChunks);
        Assert.True(again.ExitCode == 0, again.Stderr);
        AssertFsckCleanWithoutOrphans(dir);
    }

    [Theory]
    [InlineData("removed", true)]
    [InlineData("remove-published", false)]
    public void Remove_KilledAtPoint_OldOrNewGenerationWholeAndNextRunSucceeds(string point, bool oldServed)
    {
        var (dir, t1, second, t2) = TwoDumps(3_000, privately: false);
        using var _ = dir;
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second"]).ExitCode);
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "remove", "Second"], environment: KillAt(point));
        Assert.True(killed.ExitCode == 137, $"exit {killed.ExitCode}: {killed.Stderr}");

        var fsck = LeakwatchProcess.Run([.. dir.Dirs, "fsck"]);
        Assert.True(fsck.ExitCode == 0, fsck.Stderr);
        var seconds = t2.Emails!.Except(t1.Emails!).Take(20).ToList();
        var answers = IngestEndToEndTests.Check(dir, seconds);
        Assert.All(seconds, a => Assert.Equal(oldServed, answers[a].Contains("Second")));
        var firsts = t1.Emails!.Take(20).ToList();
        Assert.All(IngestEndToEndTests.Check(dir, firsts).Values, b => Assert.Contains("First", b));

        // The next write takes the lock, sweeps what the kill left, and works.
        var next = oldServed ? LeakwatchProcess.Run([.. dir.Dirs, "remove", "Second"]) : LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Again"]);
        Assert.True(next.ExitCode == 0, next.Stderr);
        AssertFsckCleanWithoutOrphans(dir);
    }

    [Theory]
    [InlineData("merging", false)]
    [InlineData("oprf", true)]
    public void CtrlC_InPhase_Exits130AndLeavesNoPartialFile(string point, bool privately)
    {
        // 40,000 rows: enough keys that the merge reports progress (and checks for Ctrl-C) at least once.
        var (dir, _, second, t2) = TwoDumps(privately ? 3_000 : 40_000, privately);
        using var _ = dir;
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second", .. (privately ? new[] { "--private" } : [])],
            environment: KillAt(point, "INT"));
        Assert.True(r.ExitCode == ExitCodes.Interrupted, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains($"LEAKWATCH_TEST_KILL_AT={point} reached", r.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(dir.DataDir, "index")));
        Assert.Empty(Directory.Exists(Path.Combine(dir.DataDir, "tmp")) ? Directory.GetFiles(Path.Combine(dir.DataDir, "tmp")) : []);
        AssertFsckCleanWithoutOrphans(dir);
        var email = t2.Emails!.First();
        // The OPRF phase runs after the plain publish: the plain index has the breach, the private one waits for resume.
        Assert.Equal(privately, IngestEndToEndTests.Check(dir, [email])[email].Contains("Second"));
        if (privately)
        {
            Assert.Contains("run `leakwatch private resume`", LeakwatchProcess.Run([.. dir.Dirs, "private", "status"]).Stdout, StringComparison.Ordinal);
            var resumed = LeakwatchProcess.Run([.. dir.Dirs, "private", "resume"], environment: SmallChunks);
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            Assert.Contains("Second", IngestEndToEndTests.Check(dir, [email], "--private")[email]);
        }
    }

    [Fact]
    public void DiskFull_MidIngest_OneLineExit4OldIndexServedNothingLeftFsckWorksAndSpaceFreedIsEnough()
    {
        using var dir = new TempDir();
        var first = dir.File("first.csv");
        var second = dir.File("second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(3_000, 31, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(60_000, 32, DumpShape.Csv), second, collectIdentifiers: true);
        var mount = dir.File("small-disk");
        Directory.CreateDirectory(mount);
        Mount(mount, "size=2m");
        try
        {
            string[] dirs = ["--data-dir", Path.Combine(mount, "data"), "--key-file", dir.KeyFile];
            Assert.Equal(0, LeakwatchProcess.Run([.. dirs, "ingest", first, "--breach", "First"]).ExitCode);
            var full = LeakwatchProcess.Run([.. dirs, "ingest", second, "--breach", "Second", "--memory", "1"]);
            Assert.True(full.ExitCode == ExitCodes.DataDir, $"exit {full.ExitCode}: {full.Stderr}");
            var line = Assert.Single(full.StderrLines);
            Assert.Contains(mount, line, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);

            // The error path removed its own files, and the first breach still answers.
            var data = Path.Combine(mount, "data");
            Assert.Single(Directory.GetFiles(Path.Combine(data, "index")));
            Assert.Empty(Directory.Exists(Path.Combine(data, "tmp")) ? Directory.GetFiles(Path.Combine(data, "tmp")) : []);
            var known = t1.Emails!.First();
            var check = LeakwatchProcess.Run([.. dirs, "check", "--json", known]);
            Assert.Contains("First", check.Stdout, StringComparison.Ordinal);

            // fsck opens everything read-only, so it works on a disk without a free byte.
            using (var filler = new FileStream(Path.Combine(mount, "filler"), FileMode.Create))
            {
                var block = new byte[64 << 10];
                try
                {
                    while (true)
                    {
                        filler.Write(block);
                    }
                }
                catch (IOException)
                {
                }
            }

            var fsck = LeakwatchProcess.Run([.. dirs, "fsck"]);
            Assert.True(fsck.ExitCode == 0, fsck.Stderr);
            File.Delete(Path.Combine(mount, "filler"));

            Mount(mount, "remount,size=64m");
            var retry = LeakwatchProcess.Run([.. dirs, "ingest", second, "--breach", "Second"]);
            Assert.True(retry.ExitCode == 0, retry.Stderr);
            var phone = IngestEndToEndTests.Plus(t2.Phones!.First());
            Assert.Contains("Second", LeakwatchProcess.Run([.. dirs, "check", "--json", phone]).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static long PrivateGeneration(TempDir dir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.DataDir, "private", "manifest.json"))).RootElement.GetProperty("generation").GetInt64();

    private static void Mount(string path, string options)
    {
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        Assert.True(code == 0, $"mount -o {options} failed (the disk-full test needs root): {error}");
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEnd();
        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromSeconds(30));
        return (p.ExitCode, error);
    }
}

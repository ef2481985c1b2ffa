using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>
/// The faults of issue 13 (Build 14-15) that fit a test's time: kill -9 at the private tier's awkward points and in
/// remove, a disk that fills mid-ingest, Ctrl-C in the merge and the OPRF phase. Kills land through the binary's own
/// hook (LEAKWATCH_TEST_KILL_AT, src/Leakwatch.Storage/TestKillPoint.cs); bench/faults.sh runs the random 20.
/// </summary>
public sealed partial class FaultTests
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
        Assert.False(LeakwatchProcess.SigintIgnored(), LeakwatchProcess.SigintIgnoredMessage);
        // 40,000 rows: enough keys that the merge reports progress (and checks for Ctrl-C) at least once.
        var (dir, _, second, t2) = TwoDumps(privately ? 3_000 : 40_000, privately);
        using var _ = dir;
        // Without retention, so that the one index file left is the published one (no partial file beside it); the
        // replaced generation a retention keeps is RetentionCliTests'.
        var r = LeakwatchProcess.Run([.. dir.Dirs, "--retain-generations", "0", "ingest", second, "--breach", "Second", .. (privately ? new[] { "--private" } : [])],
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
        var t2 = DumpGenerator.Generate(new GeneratorOptions(150_000, 32, DumpShape.Csv), second, collectIdentifiers: true);
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

    [Theory]
    [InlineData("private-merging")]
    [InlineData("oprf")]
    public void IngestPrivate_KilledInTheOprfPhaseOrTheMerge_ResumeTakesEveryFinishedChunkAsDone(string point)
    {
        var (dir, _, second, t2) = TwoDumps(3_000, privately: true);
        using var _ = dir;
        // The independent truth: the same ingest, uninterrupted, into a copy of the data dir.
        using var whole = new TempDir();
        CopyDirectory(dir.DataDir, whole.DataDir);
        CopyDirectory(Path.GetDirectoryName(dir.KeyFile)!, Path.GetDirectoryName(whole.KeyFile)!);
        var uninterrupted = LeakwatchProcess.Run([.. whole.Dirs, "ingest", second, "--breach", "Second", "--private", "--json"], environment: SmallChunks);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);
        var full = JsonDocument.Parse(uninterrupted.StdoutLines[^1]).RootElement.GetProperty("private");
        var chunks = full.GetProperty("chunks").GetInt32();
        Assert.True(chunks >= 4, $"only {chunks} OPRF chunks: the test needs several");

        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", second, "--breach", "Second", "--private"], environment: KillAt(point));
        Assert.True(killed.ExitCode == 137, $"exit {killed.ExitCode}: {killed.Stderr}");
        Assert.Contains("run `leakwatch private resume`", LeakwatchProcess.Run([.. dir.Dirs, "private", "status"]).Stdout, StringComparison.Ordinal);

        var resumed = LeakwatchProcess.Run([.. dir.Dirs, "private", "resume", "--json"], environment: SmallChunks);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        // stdout only: the build's warnings go to stderr (bench/faults.sh once read them as the result).
        var result = JsonDocument.Parse(resumed.StdoutLines[^1]).RootElement;
        Assert.Equal(chunks, result.GetProperty("chunks").GetInt32());
        var resumedChunks = result.GetProperty("chunksResumed").GetInt32();
        var evaluated = result.GetProperty("evaluated").GetInt64();
        if (point == "private-merging")
        {
            // Every chunk was evaluated before the kill: the resume evaluates nothing, it only merges.
            Assert.Equal(chunks, resumedChunks);
            Assert.Equal(0, evaluated);
        }
        else
        {
            // Killed once the first chunk's output was durable: that chunk (and any other finished) is not redone.
            Assert.InRange(resumedChunks, 1, chunks - 1);
            Assert.InRange(evaluated, 1, full.GetProperty("evaluated").GetInt64() - 1);
        }

        Assert.Equal(full.GetProperty("indexed").GetInt64(), result.GetProperty("indexed").GetInt64());
        var email = t2.Emails!.First();
        Assert.Contains("Second", IngestEndToEndTests.Check(dir, [email], "--private")[email]);
        Assert.False(Directory.Exists(Path.Combine(dir.DataDir, "private", "build")));
        AssertFsckCleanWithoutOrphans(dir);
    }

    [Fact]
    public void IngestPasswords_KilledJustAfterItsPublish_TheNextIngestSweepsTheOldStoreUnlessAPasswordIngestHoldsItsLock()
    {
        var (dir, _, second, _) = TwoDumps(1_000, privately: false);
        using var _ = dir;
        // Without retention, so that the store the kill left replaced is an orphan the next write sweeps (retention: RetentionTests).
        string[] dirs = [.. dir.Dirs, "--retain-generations", "0"];
        var first = dir.File("pw1.txt");
        var next = dir.File("pw2.txt");
        WriteHashes(first, "a", 2_000);
        WriteHashes(next, "b", 3_000);
        Assert.Equal(0, LeakwatchProcess.Run([.. dirs, "ingest-passwords", first]).ExitCode);
        var killed = LeakwatchProcess.Run([.. dirs, "ingest-passwords", next], environment: KillAt("passwords-published"));
        Assert.True(killed.ExitCode == 137, $"exit {killed.ExitCode}: {killed.Stderr}");
        var passwords = Path.Combine(dir.DataDir, "passwords");
        Assert.Equal(2, Directory.GetFiles(passwords, "*.lwp").Length); // the new store, published, and the old one
        var fsck = LeakwatchProcess.Run([.. dirs, "fsck"]);
        Assert.True(fsck.ExitCode == 0, fsck.Stderr);
        Assert.Contains($"orphaned file {passwords}", fsck.Stderr, StringComparison.Ordinal);

        // While a password ingest holds its store's lock, its files are not the sweep's to take.
        using (new FileStream(Path.Combine(passwords, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
        {
            var ingest = LeakwatchProcess.Run([.. dirs, "ingest", second, "--breach", "Second"]);
            Assert.True(ingest.ExitCode == 0, ingest.Stderr);
            Assert.Equal(2, Directory.GetFiles(passwords, "*.lwp").Length);
        }

        // The next write of the data dir (here a remove, which never touches passwords itself) sweeps it first.
        var remove = LeakwatchProcess.Run([.. dirs, "remove", "Second"]);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        var left = Assert.Single(Directory.GetFiles(passwords, "*.lwp"));
        Assert.Contains(Path.GetFileName(left), File.ReadAllText(Path.Combine(passwords, "manifest.json")), StringComparison.Ordinal);
        AssertFsckCleanWithoutOrphans(dir);
    }

    [Fact]
    public void DiskFull_InThePrivateMerge_OneLineSaysResumeBuildKeptNothingElseLeftAndResumeFinishes()
    {
        using var dir = new TempDir();
        var first = dir.File("first.csv");
        var second = dir.File("second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(3_000, 41, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(3_000, 42, DumpShape.Csv), second, collectIdentifiers: true);
        var mount = dir.File("small-disk");
        Directory.CreateDirectory(mount);
        Mount(mount, "size=64m");
        try
        {
            var data = Path.Combine(mount, "data");
            string[] dirs = ["--data-dir", data, "--key-file", dir.KeyFile];
            var ingested = LeakwatchProcess.Run([.. dirs, "ingest", first, "--breach", "First", "--private"], environment: SmallChunks);
            Assert.True(ingested.ExitCode == 0, ingested.Stderr);

            // The ingest stops itself once every OPRF chunk is evaluated; the disk is filled; the merge then hits it.
            var filler = Path.Combine(mount, "filler");
            var (code, stderr) = RunStoppedAt([.. dirs, "ingest", second, "--breach", "Second", "--private"], "private-merging", () => FillDisk(filler));
            Assert.True(code == ExitCodes.DataDir, $"exit {code}: {stderr}");
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("test hook:", StringComparison.Ordinal));
            Assert.Contains(mount, line, StringComparison.Ordinal);
            Assert.Contains("Second is ingested and served", line, StringComparison.Ordinal);
            Assert.Contains("`leakwatch private resume`", line, StringComparison.Ordinal);

            // Kept: the build's state and finished chunks. Gone: the partial generation and the partitions.
            var privateDir = Path.Combine(data, "private");
            Assert.Single(Directory.GetFiles(privateDir, "gen-*"));
            Assert.True(File.Exists(Path.Combine(privateDir, "build", "state.json")));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(privateDir, "build", "out")));
            Assert.False(Directory.Exists(Path.Combine(privateDir, "build", "part")));

            // fsck, on the still-full disk: clean, the build named as resumable, no orphan.
            var fsck = LeakwatchProcess.Run([.. dirs, "fsck"]);
            Assert.True(fsck.ExitCode == 0, fsck.Stderr);
            Assert.DoesNotContain("orphaned file", fsck.Stderr, StringComparison.Ordinal);
            Assert.Contains("`leakwatch private resume` finishes it", fsck.Stderr, StringComparison.Ordinal);
            Assert.Contains("run `leakwatch private resume`", LeakwatchProcess.Run([.. dirs, "private", "status"]).Stdout, StringComparison.Ordinal);
            var known = t1.Emails!.First();
            var fresh = t2.Emails!.Except(t1.Emails!).First();
            Assert.Contains("First", LeakwatchProcess.Run([.. dirs, "check", "--json", "--private", known]).Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Second", LeakwatchProcess.Run([.. dirs, "check", "--json", "--private", fresh]).Stdout, StringComparison.Ordinal);

            // Room again: the same command resumes from the kept chunks, evaluating none of them again.
            File.Delete(filler);
            var again = LeakwatchProcess.Run([.. dirs, "ingest", second, "--breach", "Second", "--private", "--json"], environment: SmallChunks);
            Assert.True(again.ExitCode == 0, again.Stderr);
            var result = JsonDocument.Parse(again.StdoutLines[^1]).RootElement.GetProperty("private");
            Assert.Equal(0, result.GetProperty("evaluated").GetInt64());
            Assert.Equal(result.GetProperty("chunks").GetInt32(), result.GetProperty("chunksResumed").GetInt32());
            Assert.Contains("Second", LeakwatchProcess.Run([.. dirs, "check", "--json", "--private", fresh]).Stdout, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(privateDir, "build")));
            var after = LeakwatchProcess.Run([.. dirs, "fsck"]);
            Assert.True(after.ExitCode == 0, after.Stderr);
            Assert.DoesNotContain("orphaned file", after.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Run("umount", mount);
        }
    }

    /// <summary>Runs a command that stops itself (SIGSTOP) at <paramref name="point"/>, runs <paramref name="whileStopped"/>,
    /// lets it continue (SIGCONT) and returns its exit code and stderr.</summary>
    private static (int Code, string Stderr) RunStoppedAt(string[] args, string point, Action whileStopped)
    {
        using var p = Process.Start(LeakwatchProcess.StartInfo(args, KillAt(point, "STOP")))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var stopped = false;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3) && !p.HasExited)
        {
            if (File.ReadAllText($"/proc/{p.Id}/status").Contains("State:\tT", StringComparison.Ordinal))
            {
                stopped = true;
                whileStopped();
                _ = kill(p.Id, 18); // SIGCONT
                break;
            }

            Thread.Sleep(20);
        }

        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(3));
        Assert.True(stopped, $"the command never stopped at {point}: {stderr.Result} {stdout.Result}");
        return (p.ExitCode, stderr.Result);
    }

    /// <summary>Fills the file system of <paramref name="path"/> to its last block.</summary>
    private static void FillDisk(string path)
    {
        using var filler = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        foreach (var size in new[] { 1 << 20, 64 << 10, 4 << 10 })
        {
            var block = new byte[size];
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
    }

    private static void WriteHashes(string path, string salt, int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var hash = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(salt + i.ToString(CultureInfo.InvariantCulture))));
            text.Append(CultureInfo.InvariantCulture, $"{hash}:{(i % 7) + 1}\n");
        }

        File.WriteAllText(path, text.ToString());
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var sub in Directory.GetDirectories(from))
        {
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);

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

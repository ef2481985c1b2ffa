using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>README claims that had no test (issue 13, Build 25): the `--memory` bound on an ingest's peak memory, and
/// `demo --no-serve` stopping before it serves.</summary>
public sealed partial class ClaimTests
{
    /// <summary>What a working bound saves on this dump: its keys (3 sorters × 16 bytes a key, plus the radix sort's
    /// scratch) are ~40 MB when held whole, so a bound that stopped spilling loses most of this margin.</summary>
    private const long SavedAtLeastBytes = 24L << 20;

    [Fact]
    public void Ingest_MemoryBound_SpillsInsteadOfHoldingTheSortBuffers()
    {
        // The same 600,000-row dump, each ingest into a fresh data dir: at --memory 2 the sorters spill, at --memory 256
        // they hold every key. The README promises the bound holds the sort buffers; what else an ingest holds still
        // grows slowly with the dump (measured, and said so in the README), so this compares like with like.
        using var dir = new TempDir();
        var dump = dir.File("large.csv");
        DumpGenerator.Generate(new GeneratorOptions(600_000, 42, DumpShape.Csv), dump);
        var bounded = PeakRssAtPublish(dir.File("bounded"), dump, 2);
        var unbounded = PeakRssAtPublish(dir.File("unbounded"), dump, 256);
        Assert.True(bounded + SavedAtLeastBytes <= unbounded,
            $"peak RSS {bounded >> 20} MB at --memory 2 against {unbounded >> 20} MB at --memory 256: the bound saved less than {SavedAtLeastBytes >> 20} MB");
    }

    /// <summary>Runs an ingest that stops itself (SIGSTOP) once published, reads its VmHWM, lets it finish.</summary>
    private static long PeakRssAtPublish(string dataDir, string dump, int memoryMb)
    {
        var breach = $"M{memoryMb}";
        var psi = LeakwatchProcess.StartInfo(["--data-dir", dataDir, "--key-file", dataDir + ".key", "ingest", dump, "--breach", breach,
            "--memory", memoryMb.ToString(CultureInfo.InvariantCulture), "--workers", "1"],
            new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "published", ["LEAKWATCH_TEST_KILL_SIGNAL"] = "STOP" });
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var status = $"/proc/{p.Id}/status";
        long peak = -1;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3) && !p.HasExited)
        {
            var text = File.ReadAllText(status);
            if (text.Contains("State:\tT", StringComparison.Ordinal))
            {
                peak = VmHwm(text);
                _ = kill(p.Id, 18); // SIGCONT
                break;
            }

            Thread.Sleep(20);
        }

        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(3));
        Assert.True(p.ExitCode == 0, $"ingest {breach}: exit {p.ExitCode}: {stderr.Result}");
        Assert.True(peak > 0, $"ingest {breach} never stopped at the publish point: {stderr.Result} {stdout.Result}");
        return peak;
    }

    private static long VmHwm(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);

    [Fact]
    public void Demo_NoServe_IngestsBothLeaksAndExitsWithoutServing()
    {
        using var dir = new TempDir();
        // A port nobody listens on: were --no-serve ignored, the demo would serve there until the run's timeout.
        var r = LeakwatchProcess.Run([.. dir.Dirs, "demo", "--records", "2000", "--no-serve", "--urls", "http://127.0.0.1:0"], timeoutMs: 180_000);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.DoesNotContain("Serving", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Press Ctrl+C", r.Stdout, StringComparison.Ordinal);
        var breaches = LeakwatchProcess.Run([.. dir.Dirs, "breaches", "--json"]);
        Assert.True(breaches.ExitCode == 0, breaches.Stderr);
        Assert.Contains("FacebookClaim2025", breaches.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(breaches.Stdout).RootElement.GetArrayLength());
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>README claims that had no test (issue 13, Build 25): the `--memory` bound on an ingest's peak memory, and
/// `demo --no-serve` stopping before it serves.</summary>
public sealed partial class ClaimTests
{
    /// <summary>The README's slack: what an ingest holds beside its sort buffers (reader and batch buffers, the
    /// runtime's heap headroom) may differ between a small and a large dump by at most this much.</summary>
    private const long SlackBytes = 24L << 20;

    [Fact]
    public void Ingest_MemoryBound_PeakRssDoesNotGrowWithTheDump()
    {
        // The same --memory for a dump ten times larger: its identifiers' keys alone (3 sorters × 16 bytes a key,
        // plus the radix sort's scratch) would take ~38 MB more if the sorters held them all instead of spilling, so a
        // bound that stopped working breaks the slack; a bound that works spills and keeps the peak where it was.
        using var dir = new TempDir();
        var small = dir.File("small.csv");
        var large = dir.File("large.csv");
        DumpGenerator.Generate(new GeneratorOptions(40_000, 41, DumpShape.Csv), small);
        DumpGenerator.Generate(new GeneratorOptions(400_000, 42, DumpShape.Csv), large);
        var smallPeak = PeakRssAtPublish(dir, small, "Small");
        var largePeak = PeakRssAtPublish(dir, large, "Large");
        Assert.True(largePeak <= smallPeak + SlackBytes,
            $"peak RSS {largePeak >> 20} MB for 400,000 rows against {smallPeak >> 20} MB for 40,000 at --memory 2 (slack {SlackBytes >> 20} MB)");
    }

    /// <summary>Runs an ingest that stops itself (SIGSTOP) once published, reads its VmHWM, lets it finish.</summary>
    private static long PeakRssAtPublish(TempDir dir, string dump, string breach)
    {
        var psi = LeakwatchProcess.StartInfo([.. dir.Dirs, "ingest", dump, "--breach", breach, "--memory", "2", "--workers", "1"],
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

using System.Globalization;
using Leakwatch.TraceReport;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

// Aggregates an EventPipe trace (SampleProfiler + runtime GC events) of a whole `leakwatch ingest` process into
// a table of where the CPU went, by ingest phase and by method. Each sample is attributed to the phase of the
// innermost frame that a rule recognises (leaf first), so hashing called from a worker counts as hashing and
// a sort called from a spill counts as sort/spill. Samples whose innermost recognised frame is a wait are
// threads that were blocked, not working: they are listed but left out of the percentages.
// "thread-s" is samples × the sampler's tick: time threads spent in that phase, running or waiting for a core
// (the sampler cannot tell them apart), so on a machine shared with other work it exceeds CPU time; the
// shares are the figure to read.
// Usage: Leakwatch.TraceReport TRACE.nettrace [--top N] [--markdown]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Leakwatch.TraceReport TRACE.nettrace [--top N] [--markdown]");
    return 64;
}

var tracePath = args[0];
var top = 25;
var markdown = false;
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--top" && i + 1 < args.Length)
    {
        top = int.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else if (args[i] == "--markdown")
    {
        markdown = true;
    }
}

var etlx = Path.ChangeExtension(tracePath, ".etlx");
TraceLog.CreateFromEventPipeDataFile(tracePath, etlx, new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null });
using var log = new TraceLog(etlx);

var byPhase = new Dictionary<string, long>(StringComparer.Ordinal);
var byLeaf = new Dictionary<string, long>(StringComparer.Ordinal);
var ticks = new HashSet<long>();
long samples = 0, busy = 0;
var gcCount = 0;
var gcByGen = new int[3];
double gcPauseMs = 0, suspendAt = -1, gcStartAt = -1;
var gcLines = new List<string>();
var inPause = false;
double first = double.MaxValue, last = 0;

foreach (var ev in log.Events)
{
    var name = ev.EventName ?? "";
    if (ev.ProviderName == "Microsoft-DotNETCore-SampleProfiler")
    {
        if (!name.Contains("Sample", StringComparison.Ordinal))
        {
            continue;
        }

        samples++;
        var t = ev.TimeStampRelativeMSec;
        first = Math.Min(first, t);
        last = Math.Max(last, t);
        ticks.Add((long)(t * 5)); // the sampler visits every thread at (nearly) one instant per tick
        if (inPause)
        {
            // The runtime has suspended managed threads (almost always for a GC): their stacks show where they
            // stopped, not work they are doing.
            Add(byPhase, Phases.Suspended);
            busy++;
            continue;
        }

        var (phase, leaf) = Classify(ev.CallStack());
        if (phase is Phases.Wait or Phases.PollWait)
        {
            Add(byPhase, phase);
            continue;
        }

        busy++;
        Add(byPhase, phase);
        Add(byLeaf, leaf);
        continue;
    }

    if (ev.ProviderName != "Microsoft-Windows-DotNETRuntime")
    {
        continue;
    }

    if (name == "GC/Start")
    {
        gcCount++;
        gcStartAt = ev.TimeStampRelativeMSec;
        var depth = ev.PayloadByName("Depth");
        if (depth is not null)
        {
            var g = Convert.ToInt32(depth, CultureInfo.InvariantCulture);
            if ((uint)g < 3)
            {
                gcByGen[g]++;
            }
        }
    }
    else if (name == "GC/Stop" && gcStartAt >= 0)
    {
        gcLines.Add($"  GC #{gcCount} at {gcStartAt / 1000:F2} s: collection {ev.TimeStampRelativeMSec - gcStartAt:F0} ms");
        gcStartAt = -1;
    }
    else if (name == "GC/SuspendEEStart" && IsGcSuspension(ev))
    {
        suspendAt = ev.TimeStampRelativeMSec;
        inPause = true;
    }
    else if (name == "GC/RestartEEStop" && suspendAt >= 0)
    {
        var ms = ev.TimeStampRelativeMSec - suspendAt;
        gcPauseMs += ms;
        if (ms > 50)
        {
            gcLines.Add($"  suspension at {suspendAt / 1000:F2} s lasted {ms:F0} ms");
        }

        suspendAt = -1;
        inPause = false;
    }
}

var seconds = Math.Max(1e-9, (last - first) / 1000);
var msPerSample = ticks.Count == 0 ? 0 : (last - first) / ticks.Count;
var h = markdown ? "| " : "";
var sep = markdown ? " | " : "  ";
var end = markdown ? " |" : "";
Console.WriteLine($"trace: {Path.GetFileName(tracePath)}; {samples:N0} thread samples over {seconds:F1} s ({ticks.Count:N0} sampler ticks, ≈{msPerSample:F2} ms each); " +
    $"{busy:N0} working samples, {samples - busy:N0} waiting or stopped by the sampler");
Console.WriteLine($"GC: {gcCount} collections (gen0 {gcByGen[0]}, gen1 {gcByGen[1]}, gen2 {gcByGen[2]}); runtime suspensions {gcPauseMs / 1000:F2} s in all");
foreach (var l in gcLines)
{
    Console.WriteLine(l);
}
Console.WriteLine();
Console.WriteLine($"{h}{"phase",-34}{sep}{"samples",9}{sep}{"share",6}{sep}{"≈ thread-s",10}{end}");
if (markdown)
{
    Console.WriteLine("|---|--:|--:|--:|");
}

foreach (var (phase, n) in byPhase.OrderByDescending(kv => kv.Value))
{
    if (phase is Phases.Wait or Phases.PollWait)
    {
        continue;
    }

    Console.WriteLine($"{h}{phase,-34}{sep}{n,9:N0}{sep}{100.0 * n / Math.Max(1, busy),5:F1}%{sep}{n * msPerSample / 1000,10:F2}{end}");
}

Console.WriteLine($"{h}{"(excluded) " + Phases.PollWait,-34}{sep}{byPhase.GetValueOrDefault(Phases.PollWait),9:N0}{sep}{"",6}{sep}{"",10}{end}");
Console.WriteLine($"{h}{"(excluded) waiting: blocked threads",-34}{sep}{byPhase.GetValueOrDefault(Phases.Wait),9:N0}{sep}{"",6}{sep}{"",10}{end}");
Console.WriteLine();
Console.WriteLine($"{h}{"innermost managed method (working samples)",-90}{sep}{"share",6}{end}");
if (markdown)
{
    Console.WriteLine("|---|--:|");
}

foreach (var (method, n) in byLeaf.OrderByDescending(kv => kv.Value).Take(top))
{
    var shown = method.Length > 90 ? method[..87] + "..." : method;
    Console.WriteLine($"{h}{shown,-90}{sep}{100.0 * n / Math.Max(1, busy),5:F1}%{end}");
}

return 0;

static void Add(Dictionary<string, long> d, string key) => d[key] = d.GetValueOrDefault(key) + 1;

// The sample profiler suspends the runtime itself on every tick (reason "other"); only suspensions for a GC
// (1) or its preparation (6) are pauses.
static bool IsGcSuspension(TraceEvent ev) =>
    ev.PayloadByName("Reason") is { } r && Convert.ToInt32(r, CultureInfo.InvariantCulture) is 1 or 6;

static (string Phase, string Leaf) Classify(TraceCallStack? stack)
{
    string? leaf = null;
    for (var frame = stack; frame is not null; frame = frame.Caller)
    {
        var method = frame.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(method))
        {
            continue;
        }

        leaf ??= Short(method);
        var phase = Phases.Of(method);
        if (phase is not null)
        {
            return (phase, leaf);
        }
    }

    return (leaf is null ? Phases.NoManagedFrame : Phases.Other, leaf ?? "(no managed frame)");
}

static string Short(string method)
{
    var paren = method.IndexOf('(', StringComparison.Ordinal);
    return paren > 0 ? method[..paren] : method;
}

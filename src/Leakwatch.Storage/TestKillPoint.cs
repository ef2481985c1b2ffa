using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Leakwatch.Storage;

/// <summary>
/// Test hook for the kill -9 tests and <c>bench/faults.sh</c>: with <c>LEAKWATCH_TEST_KILL_AT=&lt;point&gt;</c> a
/// command SIGKILLs its own process the first time it reaches that point, so a kill lands in the phase it names
/// instead of being guessed from the data dir by polling. <c>LEAKWATCH_TEST_KILL_DELAY_MS=N</c> lets the work go on
/// for N ms after the point before the kill (from a timer thread), which is how the faults script lands kills at
/// random moments inside a phase. <c>LEAKWATCH_TEST_KILL_SIGNAL=INT</c> sends SIGINT instead (Ctrl-C, through the
/// real signal handling) and lets the command go on to stop by itself; <c>STOP</c> sends SIGSTOP, so a test can read
/// the stopped process's /proc figures (peak RSS) at that point and let it continue with SIGCONT. Unset (always, outside tests) it does nothing; both variables are read once, and
/// every call site is once per phase or per batch, never per row. The points are listed in the README's exit-code
/// section and in <c>bench/faults.sh</c>.
/// </summary>
public static partial class TestKillPoint
{
    public const string Variable = "LEAKWATCH_TEST_KILL_AT";
    public const string DelayVariable = "LEAKWATCH_TEST_KILL_DELAY_MS";
    public const string SignalVariable = "LEAKWATCH_TEST_KILL_SIGNAL";
    private const int SigInt = 2;
    private const int SigStop = 19;

    private static readonly string? Point = Environment.GetEnvironmentVariable(Variable);
    private static readonly int DelayMs = int.TryParse(Environment.GetEnvironmentVariable(DelayVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
    private static readonly string? Signal = Environment.GetEnvironmentVariable(SignalVariable);
    private static int s_armed;

    public static void Reached(string point)
    {
        if (Point is null || !string.Equals(Point, point, StringComparison.Ordinal) || Interlocked.Exchange(ref s_armed, 1) != 0)
        {
            return;
        }

        if (DelayMs <= 0)
        {
            Kill(point);
            return;
        }

        new Thread(() =>
        {
            Thread.Sleep(DelayMs);
            Kill(point);
        })
        { IsBackground = true, Name = "test kill timer" }.Start();
    }

    private static void Kill(string point)
    {
        Console.Error.WriteLine($"test hook: {Variable}={point} reached; sending SIG{Signal ?? "KILL"}");
        Console.Error.Flush();
        if (string.Equals(Signal, "STOP", StringComparison.Ordinal))
        {
            _ = kill(Environment.ProcessId, SigStop); // returns once a SIGCONT arrives
            return;
        }

        if (string.Equals(Signal, "INT", StringComparison.Ordinal))
        {
            _ = kill(Environment.ProcessId, SigInt);
            // The handler runs on another thread; the command checks for cancellation after this point, so it must
            // have run by then for the interruption to land in the phase named.
            Thread.Sleep(500);
            return;
        }

        using var self = Process.GetCurrentProcess();
        self.Kill();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

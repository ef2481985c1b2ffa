using System.Diagnostics;
using System.Globalization;

namespace Leakwatch.Storage;

/// <summary>
/// Test hook for the kill -9 tests and <c>bench/faults.sh</c>: with <c>LEAKWATCH_TEST_KILL_AT=&lt;point&gt;</c> a
/// command SIGKILLs its own process the first time it reaches that point, so a kill lands in the phase it names
/// instead of being guessed from the data dir by polling. <c>LEAKWATCH_TEST_KILL_DELAY_MS=N</c> lets the work go on
/// for N ms after the point before the kill (from a timer thread), which is how the faults script lands kills at
/// random moments inside a phase. Unset (always, outside tests) it does nothing; both variables are read once, and
/// every call site is once per phase or per batch, never per row. The points are listed in the README's exit-code
/// section and in <c>bench/faults.sh</c>.
/// </summary>
public static class TestKillPoint
{
    public const string Variable = "LEAKWATCH_TEST_KILL_AT";
    public const string DelayVariable = "LEAKWATCH_TEST_KILL_DELAY_MS";

    private static readonly string? Point = Environment.GetEnvironmentVariable(Variable);
    private static readonly int DelayMs = int.TryParse(Environment.GetEnvironmentVariable(DelayVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
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
        Console.Error.WriteLine($"test hook: {Variable}={point} reached; killing the process");
        Console.Error.Flush();
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}

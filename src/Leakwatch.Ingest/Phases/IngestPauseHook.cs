namespace Leakwatch.Ingest.Phases;

/// <summary>
/// Test hook for the Ctrl-C tests: with <c>LEAKWATCH_TEST_PAUSE_AT=reading</c> the run, once its read phase has spilled
/// a run, prints one line to stderr and waits (at most a minute) for cancellation, so a test's SIGINT lands in the
/// phase it names instead of racing the run's end. Unset (always, outside tests) it does nothing; it is read once.
/// </summary>
internal static class IngestPauseHook
{
    public const string Variable = "LEAKWATCH_TEST_PAUSE_AT";

    private static readonly string? Point = Environment.GetEnvironmentVariable(Variable);
    private static int s_paused;

    public static void Reached(string point, CancellationToken ct)
    {
        if (Point is not null && string.Equals(Point, point, StringComparison.Ordinal) && Interlocked.Exchange(ref s_paused, 1) == 0)
        {
            Console.Error.WriteLine($"test hook: {Variable}={point} reached; waiting for Ctrl-C");
            Console.Error.Flush();
            ct.WaitHandle.WaitOne(TimeSpan.FromMinutes(1));
            ct.ThrowIfCancellationRequested();
        }
    }
}

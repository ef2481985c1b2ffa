using System.Diagnostics;

namespace Leakwatch.Ingest.Phases;

/// <summary>
/// Test hook for the kill -9 tests: with <c>LEAKWATCH_TEST_KILL_AT=&lt;point&gt;</c> the ingest SIGKILLs its own
/// process the first time it reaches that point, so a test lands each kill in the phase it names instead of
/// guessing it from the data dir by polling. Unset (always, outside tests) it does nothing; it is read once,
/// and every call site is once per phase or per batch, never per row.
/// </summary>
internal static class IngestKillHook
{
    public const string Variable = "LEAKWATCH_TEST_KILL_AT";

    /// <summary>The first batch of rows has been keyed: the read phase is under way.</summary>
    public const string Reading = "reading";

    /// <summary>The sort phase is over: every identifier run is spilled to tmp/, and the merge has not begun.</summary>
    public const string Spilled = "spilled";

    /// <summary>The new index generation is written whole beside the published one, and not published.</summary>
    public const string Merged = "merged";

    /// <summary>The catalogue holds the breach's counts and report; the manifest still names the old generation.</summary>
    public const string Publishing = "publishing";

    private static readonly string? Point = Environment.GetEnvironmentVariable(Variable);

    public static void Reached(string point)
    {
        if (Point is not null && string.Equals(Point, point, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"test hook: {Variable}={point} reached; killing the process");
            Console.Error.Flush();
            using var self = Process.GetCurrentProcess();
            self.Kill();
        }
    }
}

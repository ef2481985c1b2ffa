using System.Runtime.InteropServices;

namespace Leakwatch.Storage.Threading;

/// <summary>
/// Lowers the calling thread's scheduling priority on Linux (its nice value; .NET's <see cref="Thread.Priority"/>
/// does nothing there). For work that should only fill a core the critical path leaves idle: an ingest writes the
/// domain store beside the index merge, and at equal priority the two took turns on both cores and the index merge,
/// which the publish waits for, finished later.
/// </summary>
public static partial class ThreadNice
{
    /// <summary>A lowered thread's nice value: it gets about a tenth of a core that normal threads also want.</summary>
    public const int Background = 10;

    /// <summary>Sets the calling thread's nice value to <see cref="Background"/>; false off Linux or when refused.</summary>
    public static bool LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // PRIO_PROCESS with a thread id: Linux schedules threads as tasks, each with its own nice value.
            return SetPriority(0, GetThreadId(), Background) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The calling thread's nice value, read from /proc (for tests and diagnostics); null off Linux.</summary>
    public static int? CurrentThreadNice()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var stat = File.ReadAllText($"/proc/self/task/{GetThreadId()}/stat");
        // Fields after the command name (which may hold spaces) start past its closing parenthesis; nice is field 19.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}

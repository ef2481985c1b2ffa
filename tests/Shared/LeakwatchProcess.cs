using System.Diagnostics;
using System.Text;

namespace Leakwatch.TestSupport;

// Compiled into each test project that runs the CLI (see its .csproj); one copy, not a test project of its own.

/// <summary>Runs the real `leakwatch` binary (built beside the tests) as a child process.</summary>
internal static class LeakwatchProcess
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "leakwatch.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Whether a SIGINT would reach a child: a shell without job control starts background commands (<c>cmd &amp;</c>)
    /// with SIGINT ignored, children inherit that, and the .NET runtime then leaves it ignored, so a Ctrl-C test would
    /// see its command run to the end. Ctrl-C tests check this first and say so instead of failing obscurely.
    /// </summary>
    public static bool SigintIgnored()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
            {
                return (Convert.ToUInt64(line[7..].Trim(), 16) & (1UL << (2 - 1))) != 0;
            }
        }

        return false;
    }

    public const string SigintIgnoredMessage =
        "SIGINT is ignored in this test process (started as a background job of a shell without job control, e.g. `(dotnet test &)`), " +
        "so no child can be interrupted: run the tests in the foreground or with `set -m`";

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("LEAKWATCH_DATA");
        psi.Environment.Remove("LEAKWATCH_KEY_FILE");
        psi.Environment.Remove("LEAKWATCH_STATE");
        psi.Environment.Remove("LEAKWATCH_DEBUG");
        psi.Environment.Remove("LEAKWATCH_PRIVATE_CHUNK");
        psi.Environment.Remove("LEAKWATCH_TEST_FAULT");
        psi.Environment.Remove("LEAKWATCH_TEST_KILL_AT");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        return psi;
    }

    public static Result Run(params string[] args) => Run((IEnumerable<string>)args);

    public static Result Run(IEnumerable<string> args, int timeoutMs = 300_000, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var p = Process.Start(StartInfo(args, environment))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"leakwatch {string.Join(' ', args)} timed out");
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Waits for a process a test started itself; a hung child fails the test instead of hanging the run.</summary>
    public static void WaitForExitOrKill(Process p, TimeSpan timeout)
    {
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(TimeSpan.FromSeconds(30));
            throw new TimeoutException($"process {p.Id} did not exit within {timeout}");
        }
    }
}

public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("lw-test-").FullName;

    public string Path { get; }

    public string DataDir => System.IO.Path.Combine(Path, "data");

    public string KeyFile => System.IO.Path.Combine(Path, "keys", "leakwatch.key");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The options that point a command at this test's data dir and key file.</summary>
    public string[] Dirs => ["--data-dir", DataDir, "--key-file", KeyFile];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

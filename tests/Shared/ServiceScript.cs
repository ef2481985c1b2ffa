using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Leakwatch.TestSupport;

// Compiled into each test project that needs a real server process (see its .csproj); one copy.

/// <summary>Runs one of the repository's <c>scripts/*.sh</c> service scripts and finds free loopback ports.</summary>
internal static class ServiceScript
{
    /// <summary>The repository root: the first parent of the test binaries that holds <c>scripts/postgres.sh</c>.</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "scripts", "postgres.sh")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("scripts/postgres.sh not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A fresh directory under /tmp (every parent searchable, which PostgreSQL's own user needs).</summary>
    public static string NewDirectory(string prefix)
    {
        var dir = Path.Combine("/tmp", $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a command to completion; its trimmed stdout, or an exception with stderr when it fails.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 5 minutes");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout.Result.Trim();
    }

    public static string Script(string name) => Path.Combine(RepoRoot, "scripts", name);
}

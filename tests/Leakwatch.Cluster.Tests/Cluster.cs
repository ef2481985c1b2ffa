using System.Diagnostics;
using System.Globalization;

namespace Leakwatch.Cluster.Tests;

/// <summary>
/// <c>deploy/cluster.sh up 3</c>, the script people use: PostgreSQL, Redis, three replicas of this build's
/// <c>leakwatch.dll</c> and nginx, all on loopback; <c>down --purge</c> on dispose. The values it prints are parsed,
/// and the CLI is run with them as an administrator would.
/// </summary>
internal sealed class Cluster : IDisposable
{
    public const int Replicas = 3;
    private readonly Dictionary<string, string> _env;

    public Cluster()
    {
        Dir = Path.Combine("/tmp", $"lw-cluster-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]);
        _env = new Dictionary<string, string>
        {
            ["LEAKWATCH_CLUSTER_DIR"] = Dir,
            ["LEAKWATCH_DLL"] = LeakwatchProcess.DllPath,
            // The tests poll with keys a replica may not know yet; all their requests come from 127.0.0.1, and the
            // invalid-key allowance (ClientLimitTests covers it) would otherwise lock the whole suite out.
            ["LEAKWATCH_SERVE_ARGS"] = "--failed-key-rpm 100000",
        };
        var lines = Script("up", Replicas.ToString(CultureInfo.InvariantCulture)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var values = new Dictionary<string, string>();
        foreach (var line in lines)
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..].Trim();
            }
        }

        Lb = new Uri(values["LB"]);
        State = values["STATE"];
        Redis = values["REDIS"];
        DataDir = values["DATA"];
        KeyFile = values["KEY"];
        ReplicaUrls = values["REPLICAS"].Split(',').Select(u => new Uri(u)).ToArray();
    }

    public string Dir { get; }

    public Uri Lb { get; }

    public string State { get; }

    public string Redis { get; }

    public string DataDir { get; }

    public string KeyFile { get; }

    public IReadOnlyList<Uri> ReplicaUrls { get; }

    public string PostgresDir => Path.Combine(Dir, "postgres");

    public string RedisDir => Path.Combine(Dir, "redis");

    /// <summary>The CLI against the cluster: <c>--state</c>, <c>--data-dir</c> and <c>--key-file</c> as printed by <c>up</c>.</summary>
    public LeakwatchProcess.Result Cli(params string[] args) =>
        LeakwatchProcess.Run([.. args, "--state", State, "--data-dir", DataDir, "--key-file", KeyFile]);

    /// <summary>Runs the CLI and fails the test, showing stderr, unless it exits 0.</summary>
    public string CliOk(params string[] args)
    {
        var r = Cli(args);
        Assert.True(r.ExitCode == 0, $"leakwatch {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
        return r.Stdout;
    }

    public string CreateKey(int rpm) => CliOk("keys", "create", "--name", "cluster-test", "--rpm", rpm.ToString(CultureInfo.InvariantCulture)).Trim();

    public string Script(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(ServiceScript.RepoRoot, "deploy", "cluster.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in _env)
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(4));
        Assert.True(p.ExitCode == 0, $"deploy/cluster.sh {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>
    /// What a failing test shows besides its own message: <c>status</c> (each replica's pid and /healthz) and the
    /// last lines of every replica's log, so a failure on a CI machine says which replica stopped answering and why.
    /// </summary>
    public string Diagnostics()
    {
        var sb = new System.Text.StringBuilder();
        try
        {
            sb.Append(Script("status"));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            sb.Append("status failed: ").Append(e.Message).Append('\n');
        }

        for (var i = 1; i <= Replicas; i++)
        {
            var log = Path.Combine(Dir, $"replica-{i}.log");
            var lines = File.Exists(log) ? File.ReadAllLines(log) : [];
            sb.Append("replica-").Append(i).Append(".log, last lines:\n");
            foreach (var line in lines.Skip(Math.Max(0, lines.Length - 12)))
            {
                sb.Append("  ").Append(line).Append('\n');
            }
        }

        return sb.ToString();
    }

    public void Dispose() => Script("down", "--purge");
}

using System.Globalization;

namespace Leakwatch.TestSupport;

/// <summary>
/// A real Redis server on a free loopback port, started by <c>scripts/redis.sh</c> (which installs it when missing),
/// stopped and its directory deleted on dispose. Share one per test class; <see cref="FlushAll"/> between tests.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    public RedisServer()
    {
        Dir = ServiceScript.NewDirectory("lw-redis");
        // A port free when chosen may be taken before Redis binds it (redis.sh exits 3): choose another.
        for (var attempt = 1; ; attempt++)
        {
            Port = ServiceScript.FreePort();
            try
            {
                Endpoint = ServiceScript.Run(ServiceScript.Script("redis.sh"), "start", Dir, Port.ToString(CultureInfo.InvariantCulture));
                break;
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains(" exited 3:", StringComparison.Ordinal))
            {
            }
        }
    }

    public string Dir { get; }

    public int Port { get; private set; }

    /// <summary>HOST:PORT, as <c>serve --redis</c> takes it.</summary>
    public string Endpoint { get; private set; } = "";

    public string Cli(params string[] args) =>
        ServiceScript.Run("redis-cli", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), .. args]);

    public void FlushAll() => Cli("FLUSHALL");

    public void Stop() => ServiceScript.Run(ServiceScript.Script("redis.sh"), "stop", Dir);

    public void Start() => ServiceScript.Run(ServiceScript.Script("redis.sh"), "restart", Dir);

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (IOException)
            {
                // /tmp is cleaned by the OS.
            }
        }
    }
}

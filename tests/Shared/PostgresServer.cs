namespace Leakwatch.TestSupport;

/// <summary>
/// A real PostgreSQL server on a free loopback port, started by <c>scripts/postgres.sh</c> (which installs it when
/// missing) in a directory of its own, stopped and deleted on dispose. Share one per test class (an xunit class
/// fixture); give each test its own database with <see cref="CreateDatabase"/>.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private int _databases;

    public PostgresServer()
    {
        Dir = ServiceScript.NewDirectory("lw-pg");
        Port = ServiceScript.FreePort();
        Url = ServiceScript.Run(ServiceScript.Script("postgres.sh"), "start", Dir, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string Dir { get; }

    public int Port { get; }

    /// <summary>The <c>leakwatch</c> database, owned by the <c>leakwatch</c> role (trust authentication).</summary>
    public string Url { get; }

    /// <summary>A new empty database owned by <c>leakwatch</c>; its URL.</summary>
    public string CreateDatabase(string prefix = "t")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}".ToLowerInvariant();
        Psql($"CREATE DATABASE \"{name}\" OWNER leakwatch");
        return $"postgresql://leakwatch@127.0.0.1:{Port}/{name}";
    }

    /// <summary>Runs SQL as the superuser on the <c>postgres</c> database; the output, tuples only.</summary>
    public string Psql(string sql, string database = "postgres") =>
        ServiceScript.Run("psql", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres",
            "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql);

    public void Stop() => ServiceScript.Run(ServiceScript.Script("postgres.sh"), "stop", Dir);

    public void Restart() => ServiceScript.Run(ServiceScript.Script("postgres.sh"), "restart", Dir);

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
                // A file still held by a dying server process: /tmp is cleaned by the OS.
            }
        }
    }
}

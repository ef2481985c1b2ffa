namespace Leakwatch.Server.Tests;

/// <summary>The service scripts the cluster and state tests stand on: a real server answers, and stop stops it.</summary>
public sealed class ServiceScriptTests
{
    [Fact]
    public void PostgresScriptStartsAServerTheLeakwatchRoleCanUse()
    {
        using var pg = new PostgresServer();
        Assert.Equal($"postgresql://leakwatch@127.0.0.1:{pg.Port}/leakwatch", pg.Url);
        var db = pg.CreateDatabase();
        var name = db[(db.LastIndexOf('/') + 1)..];
        Assert.Equal("leakwatch", pg.Psql($"SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{name}'"));
        pg.Stop();
        Assert.Throws<InvalidOperationException>(() => pg.Psql("SELECT 1"));
        pg.Restart();
        Assert.Equal("1", pg.Psql("SELECT 1"));
    }

    [Fact]
    public void RedisScriptStartsAServerAndStopsIt()
    {
        using var redis = new RedisServer();
        Assert.Equal($"127.0.0.1:{redis.Port}", redis.Endpoint);
        Assert.Equal("PONG", redis.Cli("PING"));
        redis.Cli("SET", "k", "v");
        Assert.Equal("v", redis.Cli("GET", "k"));
        redis.Stop();
        Assert.NotEqual("PONG", TryPing(redis));
        redis.Start();
        Assert.Equal("PONG", redis.Cli("PING"));
    }

    /// <summary>
    /// A port another Redis already holds: the script must not take that server for its own (a cluster would then
    /// share another test's counters and lose them when that test stops it). It exits 3, which cluster.sh retries on.
    /// </summary>
    [Fact]
    public void RedisScriptOnAPortAnotherRedisHoldsExitsThreeInsteadOfAdoptingIt()
    {
        using var other = new RedisServer();
        var dir = ServiceScript.NewDirectory("lw-redis-taken");
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() =>
                ServiceScript.Run(ServiceScript.Script("redis.sh"), "start", dir, other.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Contains("exited 3", e.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{other.Port} is taken", e.Message, StringComparison.Ordinal);
            Assert.Equal("PONG", other.Cli("PING"));
        }
        finally
        {
            ServiceScript.Run(ServiceScript.Script("redis.sh"), "stop", dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string TryPing(RedisServer redis)
    {
        try
        {
            return redis.Cli("PING");
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }
}

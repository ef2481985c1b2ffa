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

using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;

namespace Leakwatch.Catalog.Tests.State;

public sealed class StateLocationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sqlite")]
    public void Parse_NothingOrSqlite_IsTheEmbeddedStore(string? url) => Assert.Same(StateLocation.Embedded, StateLocation.Parse(url));

    [Theory]
    [InlineData("postgresql://lw:p%40ss@db.internal:6543/state?sslmode=disable", "db.internal:6543", "postgresql://lw@db.internal:6543/state")]
    [InlineData("postgres://lw@127.0.0.1/leakwatch", "127.0.0.1:5432", "postgresql://lw@127.0.0.1/leakwatch")]
    public void Parse_PostgresUrl_KeepsThePasswordOutOfWhatIsPrinted(string url, string endpoint, string display)
    {
        var location = StateLocation.Parse(url);
        Assert.Equal(StateEngine.Postgres, location.Engine);
        Assert.Equal(endpoint, location.Endpoint);
        Assert.Equal(display, location.Display);
        Assert.DoesNotContain("p@ss", location.Display, StringComparison.Ordinal);
        if (url.Contains("p%40ss", StringComparison.Ordinal))
        {
            Assert.Contains("Password=p@ss", location.ConnectionString, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("mysql://u@h/db")]
    [InlineData("postgresql://h/db")]
    [InlineData("postgresql://u:hunter2@h/")]
    [InlineData("postgresql://u:hunter2@h/db?nonsense_key=1")]
    [InlineData("not a url")]
    public void Parse_Unusable_IsAUsageErrorNamingTheOption_WithoutThePassword(string url)
    {
        var e = Assert.Throws<LeakwatchException>(() => StateLocation.Parse(url));
        Assert.Equal(ErrorKind.Usage, e.Kind);
        Assert.StartsWith("--state: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }
}

using Leakwatch.TestSupport;

namespace Leakwatch.Cli.Tests;

/// <summary>One real PostgreSQL per test class (startup takes seconds); public, as xunit's class fixtures must be.</summary>
public sealed class PostgresFixture : IDisposable
{
    internal PostgresServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}

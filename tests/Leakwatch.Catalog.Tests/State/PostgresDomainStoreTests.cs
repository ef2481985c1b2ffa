using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The domain contract on a real PostgreSQL (one server for the class, one database per test).</summary>
public sealed class PostgresDomainStoreTests(PostgresFixture fixture) : DomainStoreContract, IClassFixture<PostgresFixture>
{
    protected override StateLocation NewLocation() => StateLocation.Parse(fixture.Server.CreateDatabase("domains"));
}

using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The delivery contract on a real PostgreSQL (one server for the class, one database per test).</summary>
public sealed class PostgresDeliveryStoreTests(PostgresFixture fixture) : DeliveryStoreContract, IClassFixture<PostgresFixture>
{
    protected override StateLocation NewLocation() => StateLocation.Parse(fixture.Server.CreateDatabase("delivery"));
}

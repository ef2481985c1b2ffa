using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The delivery contract on the embedded engine.</summary>
public sealed class SqliteDeliveryStoreTests : DeliveryStoreContract
{
    protected override StateLocation NewLocation() => StateLocation.Embedded;
}

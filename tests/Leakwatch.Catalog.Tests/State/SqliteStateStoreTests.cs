using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The state-store contract on the embedded engine: catalog.db in the data dir.</summary>
public sealed class SqliteStateStoreTests : NotificationStoreContract
{
    protected override StateLocation NewLocation() => StateLocation.Embedded;
}

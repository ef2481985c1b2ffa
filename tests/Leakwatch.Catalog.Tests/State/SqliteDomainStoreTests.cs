using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>The domain contract on the embedded engine.</summary>
public sealed class SqliteDomainStoreTests : DomainStoreContract
{
    protected override StateLocation NewLocation() => StateLocation.Embedded;
}

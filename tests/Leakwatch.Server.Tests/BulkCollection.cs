namespace Leakwatch.Server.Tests;

[CollectionDefinition(Name)]
public sealed class BulkCollection : ICollectionFixture<BulkFixture>
{
    public const string Name = "bulk";
}

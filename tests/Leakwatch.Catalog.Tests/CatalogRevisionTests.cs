using Leakwatch.Catalog.State;
using Leakwatch.Core;

namespace Leakwatch.Catalog.Tests;

/// <summary>Every committed breach-row write replaces <c>catalog.revision</c>, which is how a running server learns
/// that the rows it serves are stale; reads alone leave it as it is.</summary>
public sealed class CatalogRevisionTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("lw-revision-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public void Writes_EachOne_ReplaceTheRevision_ReadsDoNot()
    {
        Assert.Equal("", CatalogRevision.Read(_dataDir));
        using var catalog = SqliteStateStore.Open(_dataDir);
        var seen = new HashSet<string> { "" };

        var id = catalog.InsertBreach(new Breach { Name = "Leak", Title = "Leak", BreachDate = new DateOnly(2020, 1, 1), DataClasses = [] });
        var afterInsert = CatalogRevision.Read(_dataDir);
        Assert.Matches("^[0-9a-f]{32}$", afterInsert);
        Assert.True(seen.Add(afterInsert));

        var breach = catalog.AllBreaches().Single();
        Assert.Equal(afterInsert, CatalogRevision.Read(_dataDir));

        catalog.UpdateBreach(breach with { IsSensitive = true });
        Assert.True(seen.Add(CatalogRevision.Read(_dataDir)), "Update left the revision as it was");
        catalog.UpdateBreach(breach with { IsSensitive = false });
        Assert.True(seen.Add(CatalogRevision.Read(_dataDir)), "a second Update left the revision as it was");

        catalog.DeleteBreach(id);
        Assert.True(seen.Add(CatalogRevision.Read(_dataDir)), "Delete left the revision as it was");
    }
}

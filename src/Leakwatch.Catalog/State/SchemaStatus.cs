namespace Leakwatch.Catalog.State;

/// <summary>A store's migration status: scripts still to run, and applied scripts this build does not know.</summary>
public sealed record SchemaStatus(IReadOnlyList<string> Pending, IReadOnlyList<string> Unknown)
{
    public bool IsCurrent => Pending.Count == 0 && Unknown.Count == 0;
}

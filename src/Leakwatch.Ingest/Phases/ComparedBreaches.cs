using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Index;

namespace Leakwatch.Ingest.Phases;

/// <summary>The published breaches the new dump's overlap is measured against: all of them, or those named by
/// <c>--against</c>.</summary>
internal static class ComparedBreaches
{
    /// <param name="open">The catalogue already open for writing; null (a verify) reads it read-only.</param>
    public static Dictionary<int, string> Resolve(string dataDir, StateLocation state, Manifest manifest, StateStore? open, IReadOnlySet<string>? wanted)
    {
        var breachNames = PublishedNames(dataDir, state, manifest, open);
        if (wanted is null)
        {
            return breachNames;
        }

        foreach (var name in wanted)
        {
            if (!breachNames.ContainsValue(name) && !breachNames.Values.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new IngestException($"--against: no breach named '{name}'");
            }
        }

        foreach (var id in breachNames.Keys.ToList())
        {
            if (!wanted.Contains(breachNames[id]))
            {
                breachNames.Remove(id);
            }
        }

        return breachNames;
    }

    private static Dictionary<int, string> PublishedNames(string dataDir, StateLocation state, Manifest manifest, StateStore? open)
    {
        var names = new Dictionary<int, string>();
        if (manifest.Breaches.Length == 0)
        {
            return names;
        }

        using var readOnly = open is null ? StateStore.OpenReadOnly(state, dataDir) : null;
        if ((open ?? readOnly) is not { } catalog)
        {
            return names;
        }

        foreach (var b in catalog.PublishedBreaches(manifest.Breaches))
        {
            names[b.Id] = b.Name;
        }

        return names;
    }
}

using System.Collections.Frozen;
using System.Reflection;

namespace Leakwatch.Core;

/// <summary>The IANA top-level domains (lowercase A-labels) bundled with Core, for email validation.</summary>
public static class TopLevelDomains
{
    private const string ResourceName = "Leakwatch.Core.Resources.tlds.txt";

    private static readonly FrozenSet<string> All = Load();

    // Span lookup so the email hot path can test a slice of its buffer without materialising a string.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        All.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Number of TLDs in the bundled list.</summary>
    public static int Count => All.Count;

    /// <summary>True if <paramref name="tld"/> (lowercase A-label, no dot) is on the bundled list.</summary>
    public static bool Contains(ReadOnlySpan<char> tld) => BySpan.Contains(tld);

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(TopLevelDomains).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        var names = new List<string>(1600);
        while (reader.ReadLine() is { } line)
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
                continue;
            names.Add(trimmed.ToLowerInvariant());
        }
        return names.ToFrozenSet(StringComparer.Ordinal);
    }
}

namespace Leakwatch.Architecture.Tests;

/// <summary>
/// Which project may reference which. docs/architecture.md quotes this table; change both together.
///
/// | project          | may not reach, directly or through other projects                              | why |
/// |------------------|--------------------------------------------------------------------------------|-----|
/// | Leakwatch.Core   | any other Leakwatch project                                                    | Core is the bottom: normalizers, keys, errors |
/// | Leakwatch.Core   | packages that do I/O: Sep, ZstdSharp.Port, Microsoft.Data.Sqlite               | Core stays pure computation |
/// | Leakwatch.Server | Leakwatch.Ingest, Leakwatch.Reading                                            | the read side serves; it never parses dumps |
/// | every project    | itself (no reference cycle)                                                    | layers, not a knot |
/// </summary>
public static class ReferenceRules
{
    public const string AnyLeakwatchProject = "Leakwatch.*";

    /// <summary>Projects a project must not reach (<see cref="AnyLeakwatchProject"/>: none at all).</summary>
    public static readonly IReadOnlyList<(string Project, string[] MayNotReach)> ForbiddenProjects =
    [
        ("Leakwatch.Core", [AnyLeakwatchProject]),
        ("Leakwatch.Server", ["Leakwatch.Ingest", "Leakwatch.Reading"]),
    ];

    /// <summary>Packages a project must not reference, directly or through the projects it reaches.</summary>
    public static readonly IReadOnlyList<(string Project, string[] MayNotUse)> ForbiddenPackages =
    [
        ("Leakwatch.Core", ["Sep", "ZstdSharp.Port", "Microsoft.Data.Sqlite"]),
    ];

    /// <summary>Every broken rule, one readable line each; empty when the graph obeys the table.</summary>
    public static List<string> Violations(ProjectGraph graph)
    {
        var violations = new List<string>();
        foreach (var (project, mayNotReach) in ForbiddenProjects)
        {
            if (!graph.Projects.ContainsKey(project))
            {
                violations.Add($"{project}: named in the rules but no such project under src/");
                continue;
            }

            var reached = graph.Reachable(project);
            foreach (var target in reached.Where(r => r != project).Order(StringComparer.Ordinal))
            {
                if (mayNotReach.Any(f => f == AnyLeakwatchProject ? target.StartsWith("Leakwatch.", StringComparison.Ordinal) : f == target))
                {
                    violations.Add($"{project} reaches {target}, which it may not");
                }
            }
        }

        foreach (var (project, mayNotUse) in ForbiddenPackages)
        {
            foreach (var package in graph.ReachablePackages(project).Intersect(mayNotUse, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
            {
                violations.Add($"{project} uses the I/O package {package}, which it may not");
            }
        }

        foreach (var project in graph.Projects.Keys.Order(StringComparer.Ordinal))
        {
            if (graph.Reachable(project).Contains(project))
            {
                violations.Add($"{project} is part of a reference cycle");
            }
        }

        return violations;
    }
}

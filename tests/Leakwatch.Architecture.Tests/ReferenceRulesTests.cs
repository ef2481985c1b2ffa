namespace Leakwatch.Architecture.Tests;

public sealed class ReferenceRulesTests
{
    [Fact]
    public void SourceProjects_ObeyTheReferenceRules()
    {
        var graph = ProjectGraph.Load(SourceDirectory());
        // Guards the loader: a graph read as empty would obey every rule.
        Assert.Contains("Leakwatch.Server", graph.Projects.Keys);
        Assert.Contains("Leakwatch.Core", graph.Projects["Leakwatch.Server"].ProjectReferences);
        var violations = ReferenceRules.Violations(graph);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void ServerReachingIngestThroughAnotherProject_IsAViolation()
    {
        var graph = Graph(
            ("Leakwatch.Core", [], []),
            ("Leakwatch.Ingest", ["Leakwatch.Core"], []),
            ("Leakwatch.Analysis", ["Leakwatch.Ingest"], []),
            ("Leakwatch.Server", ["Leakwatch.Analysis"], []));
        Assert.Contains("Leakwatch.Server reaches Leakwatch.Ingest, which it may not", ReferenceRules.Violations(graph));
    }

    [Fact]
    public void CoreReferencingAProjectOrAnIoPackage_IsAViolation()
    {
        var graph = Graph(
            ("Leakwatch.Core", ["Leakwatch.Storage"], ["libphonenumber-csharp"]),
            ("Leakwatch.Storage", [], ["ZstdSharp.Port"]),
            ("Leakwatch.Server", [], []));
        var violations = ReferenceRules.Violations(graph);
        Assert.Contains("Leakwatch.Core reaches Leakwatch.Storage, which it may not", violations);
        Assert.Contains("Leakwatch.Core uses the I/O package ZstdSharp.Port, which it may not", violations);
        Assert.Equal(2, violations.Count);
    }

    [Fact]
    public void ReferenceCycle_IsAViolation()
    {
        var graph = Graph(
            ("Leakwatch.Core", [], []),
            ("Leakwatch.Index", ["Leakwatch.Storage"], []),
            ("Leakwatch.Storage", ["Leakwatch.Index"], []),
            ("Leakwatch.Server", ["Leakwatch.Index"], []));
        var violations = ReferenceRules.Violations(graph);
        Assert.Contains("Leakwatch.Index is part of a reference cycle", violations);
        Assert.Contains("Leakwatch.Storage is part of a reference cycle", violations);
        Assert.DoesNotContain("Leakwatch.Server is part of a reference cycle", violations);
    }

    private static ProjectGraph Graph(params (string Name, string[] Projects, string[] Packages)[] nodes) =>
        new(nodes.ToDictionary(n => n.Name, n => new ProjectNode(n.Name, n.Projects, n.Packages), StringComparer.Ordinal));

    private static string SourceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Leakwatch.slnx")))
            {
                return Path.Combine(dir.FullName, "src");
            }
        }

        throw new InvalidOperationException("Leakwatch.slnx not found above the test binaries");
    }
}

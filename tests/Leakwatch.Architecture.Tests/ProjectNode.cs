namespace Leakwatch.Architecture.Tests;

/// <summary>One project file: its name and its direct references.</summary>
public sealed record ProjectNode(string Name, IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> PackageReferences);

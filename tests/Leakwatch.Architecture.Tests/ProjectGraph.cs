using System.Xml.Linq;

namespace Leakwatch.Architecture.Tests;

/// <summary>The projects under src/ and what each references, read from the project files themselves.</summary>
public sealed class ProjectGraph
{
    public ProjectGraph(IReadOnlyDictionary<string, ProjectNode> projects) => Projects = projects;

    public IReadOnlyDictionary<string, ProjectNode> Projects { get; }

    public static ProjectGraph Load(string srcDir)
    {
        var projects = new Dictionary<string, ProjectNode>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(srcDir, "*.csproj", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var xml = XDocument.Load(file);
            var projectRefs = xml.Descendants("ProjectReference")
                .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/')))
                .ToList();
            var packageRefs = xml.Descendants("PackageReference")
                .Select(e => (string?)e.Attribute("Include") ?? "")
                .ToList();
            var name = Path.GetFileNameWithoutExtension(file);
            projects[name] = new ProjectNode(name, projectRefs, packageRefs);
        }

        return new ProjectGraph(projects);
    }

    /// <summary>Every project reachable from <paramref name="project"/> through project references, itself excluded.</summary>
    public HashSet<string> Reachable(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(References(project));
        while (stack.TryPop(out var next))
        {
            if (seen.Add(next))
            {
                foreach (var r in References(next))
                {
                    stack.Push(r);
                }
            }
        }

        return seen;
    }

    /// <summary>Packages referenced by the project or by any project it reaches.</summary>
    public HashSet<string> ReachablePackages(string project)
    {
        var packages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in Reachable(project).Append(project))
        {
            if (Projects.TryGetValue(p, out var node))
            {
                packages.UnionWith(node.PackageReferences);
            }
        }

        return packages;
    }

    private IEnumerable<string> References(string project) =>
        Projects.TryGetValue(project, out var node) ? node.ProjectReferences : [];
}

using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Leakwatch.Server.Pages;

/// <summary>
/// The page's static files (<c>wwwroot/</c>), embedded in the server assembly so that the published CLI serves them
/// with nothing beside it. Read once at start; the whole set is a few hundred kilobytes.
/// </summary>
internal sealed class WebAssets
{
    private const string Prefix = "wwwroot/";
    private readonly FrozenDictionary<string, WebAsset> _files;

    public WebAssets()
        : this(typeof(WebAssets).Assembly)
    {
    }

    public WebAssets(Assembly assembly)
    {
        var files = new Dictionary<string, WebAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var path = name.Replace('\\', '/');
            if (!path.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files["/" + path[Prefix.Length..]] = WebAsset.Of(copy.ToArray(), ContentTypeOf(path));
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Paths served, each starting with '/' (e.g. <c>/assets/app.js</c>).</summary>
    public IEnumerable<string> Paths => _files.Keys;

    public bool TryGet(string path, out WebAsset asset) => _files.TryGetValue(path, out asset!);

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json; charset=utf-8",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}

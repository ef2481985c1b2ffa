using Leakwatch.Templates;

namespace Leakwatch.Server.Pages;

/// <summary>
/// <c>/</c>: the page for people, with the private email/phone lookup and the password check. Static: it is rendered
/// once at start and served from memory like the other assets.
/// </summary>
public sealed partial class HomePage
{
    public static string Render() => ComponentHtml.Render<HomePage>(new Dictionary<string, object?>());
}

using Leakwatch.Passwords;

namespace Leakwatch.Export;

/// <summary>
/// Where an export puts things (docs/operations.md and README): <c>range/sha1/ABCDE</c> and <c>range/ntlm/ABCDE</c>
/// (upper-case prefix, body exactly as <c>GET /range/ABCDE</c> and <c>?mode=ntlm</c> answer without padding) with
/// <c>.gz</c> siblings, <c>private/&lt;generation&gt;/&lt;bucket&gt;</c>, and the manifest and header files at the top.
/// </summary>
public static class ExportLayout
{
    public const string ManifestName = "etags.json";
    public const string ChangedName = "changed.txt";
    public const string NginxHeadersName = "nginx-headers.conf";
    public const string NginxETagsName = "nginx-etags.conf";
    public const string HeadersName = "_headers";
    public const string RangeDir = "range";

    public static string ModeDir(PasswordHashMode mode) => mode == PasswordHashMode.Ntlm ? "ntlm" : "sha1";

    /// <summary>The URL path of a range file relative to the export's root, e.g. <c>/range/sha1/0A1B2</c>.</summary>
    public static string RangePath(PasswordHashMode mode, int prefix) => $"/{RangeDir}/{ModeDir(mode)}/{PrefixText(prefix)}";

    public static string PrefixText(int prefix) => prefix.ToString("X5", System.Globalization.CultureInfo.InvariantCulture);
}

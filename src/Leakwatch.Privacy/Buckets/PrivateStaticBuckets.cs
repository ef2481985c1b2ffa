using System.Globalization;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// Static buckets (docs/private-lookup.md §5.3): <c>leakwatch export</c> writes each bucket's entries, decrypted as
/// <c>POST /api/private/evaluate</c> sends them, to <c>private/&lt;generation&gt;/&lt;bucket&gt;</c> under the
/// export's base URL. The generation is in the path, so a client fetching the bucket of the generation its evaluation
/// named can never be handed another generation's entries, whatever a CDN caches.
/// </summary>
public static class PrivateStaticBuckets
{
    public const string DirectoryName = "private";

    /// <summary>The bucket's path relative to the export's base URL, without a leading slash.</summary>
    public static string RelativePath(long generation, long bucket)
        => string.Create(CultureInfo.InvariantCulture, $"{DirectoryName}/{generation}/{bucket}");

    /// <summary>The bucket's URL under <paramref name="baseUrl"/> (a trailing slash is allowed).</summary>
    public static Uri Url(string baseUrl, long generation, long bucket)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return new Uri(baseUrl.TrimEnd('/') + "/" + RelativePath(generation, bucket), UriKind.Absolute);
    }
}

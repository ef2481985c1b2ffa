namespace Leakwatch.Passwords;

/// <summary>
/// What a <c>/range/</c> answer carries besides its body, in one place: <c>serve</c> sends these headers and
/// <c>leakwatch export</c> writes them into its nginx and <c>_headers</c> files, so a static copy answers as the
/// server does.
/// </summary>
public static class RangeHeaders
{
    public const string ContentType = "text/plain";

    /// <summary>A month, as api.pwnedpasswords.com; a publish changes a range's ETag, not its URL.</summary>
    public const string CacheControl = "public, max-age=2678400";

    /// <summary>Padding and compression change the bytes of the same URL.</summary>
    public const string Vary = "Add-Padding, Accept-Encoding";

    public const string AllowOrigin = "*";

    /// <summary>Sent on every answer of the server (<c>SecurityHeaders</c>).</summary>
    public const string ContentTypeOptions = "nosniff";

    /// <summary>One gzip level for <c>serve</c> and <c>export</c>, so a <c>-gz</c> tag names the same bytes in both
    /// (one runtime's zlib is deterministic). Fastest: range lines are hex, which higher levels barely shrink more.</summary>
    public const System.IO.Compression.CompressionLevel GzipLevel = System.IO.Compression.CompressionLevel.Fastest;

    /// <summary>The quoted strong tag of a range: 16 upper-case hex digits of its content hash.</summary>
    public static string ETag(ulong contentHash) => string.Create(18, contentHash, static (span, h) =>
    {
        span[0] = '"';
        h.TryFormat(span[1..], out _, "X16", null);
        span[17] = '"';
    });

    /// <summary>The gzip representation's own strong tag (same lines, different bytes): <c>"…-gz"</c>.</summary>
    public static string GzipETag(string etag)
    {
        ArgumentNullException.ThrowIfNull(etag);
        return etag.EndsWith('"') ? etag[..^1] + "-gz\"" : etag + "-gz";
    }
}

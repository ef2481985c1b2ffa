using System.Buffers;
using Leakwatch.Passwords;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// Pwned Passwords range API, wire-compatible with api.pwnedpasswords.com: <c>GET /range/{5 hex}</c> answers
/// every valid prefix (never 404) with uppercase <c>SUFFIX:COUNT</c> lines joined by CRLF, <c>?mode=ntlm</c>
/// for NTLM, <c>Add-Padding: true</c> for 800–1,000 lines, ETag/304, a month of public caching and CORS.
/// </summary>
internal static class PwnedPasswordsEndpoints
{
    private static readonly byte[] InvalidPrefix = "The hash prefix was not in a valid format"u8.ToArray();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_body;

    public static void Map(IEndpointRouteBuilder app, PasswordStoreHolder store, ServerOptions options)
    {
        // A cached body is written from memory on the socket thread; a range not yet rendered leaves it (Range).
        var range = app.MapGet("/range/{prefix}", (HttpContext ctx, string prefix) => Range(ctx, prefix, store))
            .WithMetadata(RangeAccess.Instance)
            .RunsOnSocketThread()
            .WithName("PwnedPasswordsRange").WithTags("Pwned Passwords")
            .WithSummary("Hash suffixes and counts for a 5-hex SHA-1 (or ?mode=ntlm NTLM) prefix; k-anonymous")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").Produces(StatusCodes.Status400BadRequest);
        if (options.RangeRpm <= 0)
        {
            // No per-IP limit (e.g. behind a CDN): the rate limiter is skipped, not consulted for a no-op lease.
            range.DisableRateLimiting();
        }

        app.MapMethods("/range/{prefix}", [HttpMethods.Options], (HttpContext ctx) =>
        {
            // CORS preflight: browsers ask before sending the non-simple Add-Padding header.
            var h = ctx.Response.Headers;
            h.AccessControlAllowOrigin = "*";
            h.AccessControlAllowMethods = "GET, OPTIONS";
            h.AccessControlAllowHeaders = "Add-Padding";
            h.AccessControlMaxAge = "86400";
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }).WithMetadata(RangeAccess.Instance).RunsOnSocketThread().ExcludeFromDescription();
    }

    private static Task Range(HttpContext ctx, string prefix, PasswordStoreHolder holder)
    {
        var response = ctx.Response;
        response.Headers.AccessControlAllowOrigin = RangeHeaders.AllowOrigin;
        if (!PasswordRangeStore.IsValidPrefix(prefix))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            response.ContentType = "text/plain";
            response.ContentLength = InvalidPrefix.Length;
            return response.Body.WriteAsync(InvalidPrefix).AsTask();
        }

        var mode = ctx.Request.Query.TryGetValue("mode", out var m) && string.Equals(m.ToString(), "ntlm", StringComparison.OrdinalIgnoreCase)
            ? PasswordHashMode.Ntlm
            : PasswordHashMode.Sha1;
        var padding = string.Equals(ctx.Request.Headers["Add-Padding"].ToString(), "true", StringComparison.OrdinalIgnoreCase);

        // A client that takes gzip gets the body compressed once per store generation (about half the bytes, as
        // HIBP's CDN serves it). Padded bodies are random every time, so they go out as they are.
        var gzip = !padding && AcceptsGzip(ctx.Request.Headers.AcceptEncoding);
        var range = holder.TryGetRendered(mode, prefix);
        if (range is null || (gzip && !range.HasGzip))
        {
            if (SocketThreads.OnSocketThread)
            {
                // Rendering reads the memory-mapped store (which may wait on the disk) and gzip takes ~1 ms:
                // neither belongs on a socket thread.
                return RenderOnThreadPool(ctx, prefix, holder, mode, padding, gzip);
            }

            range ??= holder.Get(mode, prefix);
        }

        return Respond(ctx, range, mode, padding, gzip);
    }

    private static async Task RenderOnThreadPool(HttpContext ctx, string prefix, PasswordStoreHolder holder, PasswordHashMode mode, bool padding, bool gzip)
    {
        await SocketThreads.LeaveAsync();
        // Respond makes the gzip form if it is missing, still here on the pool.
        await Respond(ctx, holder.Get(mode, prefix), mode, padding, gzip);
    }

    private static Task Respond(HttpContext ctx, RenderedRange range, PasswordHashMode mode, bool padding, bool gzip)
    {
        var response = ctx.Response;

        // The ETag names the real lines; a padded body differs every time, so it is only weakly equal, and
        // the gzip representation has a strong tag of its own.
        var tag = gzip ? range.GzipETag : range.ETag;
        var etag = padding ? "W/" + tag : tag;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = RangeHeaders.CacheControl;
        response.Headers.Vary = RangeHeaders.Vary;
        var ifNoneMatch = ctx.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length > 0 && (ifNoneMatch == "*" || ifNoneMatch.Contains(tag, StringComparison.Ordinal)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = RangeHeaders.ContentType;
        if (gzip)
        {
            var compressed = range.Gzip;
            response.Headers.ContentEncoding = "gzip";
            response.ContentLength = compressed.Length;
            return response.Body.WriteAsync(compressed).AsTask();
        }

        if (!padding)
        {
            response.ContentLength = range.Body.Length;
            return response.Body.WriteAsync(range.Body).AsTask();
        }

        var body = t_body ??= new ArrayBufferWriter<byte>(64 * 1024);
        body.ResetWrittenCount();
        body.Write(range.Body);
        PasswordRangeStore.AppendPadding(mode, range.Lines, body);
        response.ContentLength = body.WrittenCount;
        return response.Body.WriteAsync(body.WrittenMemory).AsTask();
    }

    /// <summary>True when Accept-Encoding lists gzip (or *) without q=0.</summary>
    internal static bool AcceptsGzip(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        foreach (var value in acceptEncoding)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.AsSpan().Split(','))
            {
                var item = value.AsSpan()[part].Trim();
                var semicolon = item.IndexOf(';');
                var coding = (semicolon < 0 ? item : item[..semicolon]).Trim();
                if (!coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) && !coding.SequenceEqual("*"))
                {
                    continue;
                }

                if (semicolon < 0)
                {
                    return true;
                }

                var parameter = item[(semicolon + 1)..].Trim();
                if (!parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    || !double.TryParse(parameter[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q)
                    || q > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }
}

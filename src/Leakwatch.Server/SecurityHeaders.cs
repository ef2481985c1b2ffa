using Microsoft.AspNetCore.Http;

namespace Leakwatch.Server;

/// <summary>Headers every response carries, whatever answers it.</summary>
internal static class SecurityHeaders
{
    /// <summary>The API reference page sets no policy of its own; this one only forbids framing it.</summary>
    private const string NoFraming = "frame-ancestors 'none'";

    /// <summary>Middleware: <c>nosniff</c> on every response (a JSON or text answer is never run as script or
    /// style), and no framing of the API reference page; the page and the reports set a full policy of their own.</summary>
    public static Task Apply(HttpContext ctx, RequestDelegate next)
    {
        var headers = ctx.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (ctx.Request.Path.StartsWithSegments("/scalar", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentSecurityPolicy = NoFraming;
        }

        return next(ctx);
    }
}

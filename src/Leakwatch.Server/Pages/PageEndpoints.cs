using System.Text.Json;
using Leakwatch.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server.Pages;

/// <summary>
/// The page for people (<c>/</c>), its static assets, the breach catalogue (<c>/breaches</c>) and the advice table
/// (<c>/api/advice</c>). Every response carries a strict CSP: scripts, styles and connections from this origin only,
/// no inline code, no framing, no referrer.
/// </summary>
internal static class PageEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The page's policy: with a static export of private buckets elsewhere (<c>--private-static-url</c>),
    /// the page may also fetch from that origin, and from nowhere else.</summary>
    public static string PolicyFor(string? staticUrl) => staticUrl is null
        ? ContentSecurityPolicy
        : ContentSecurityPolicy.Replace("connect-src 'self';", $"connect-src 'self' {new Uri(staticUrl).GetLeftPart(UriPartial.Authority)};", StringComparison.Ordinal);

    public static void Map(IEndpointRouteBuilder app, WebAssets assets, ExposureService exposure, string? staticUrl = null)
    {
        var pagePolicy = PolicyFor(staticUrl);
        var advice = JsonSerializer.SerializeToUtf8Bytes(new AdviceDocument(ExposureAdvice.Version, ExposureAdvice.Rules), PageJson.Default.AdviceDocument);
        var catalogue = new CataloguePageCache();
        // The page has no data in it: rendered once here, then served from memory with its ETag like the assets.
        var home = WebAsset.Of(System.Text.Encoding.UTF8.GetBytes(HomePage.Render()), "text/html; charset=utf-8");

        string[] getHead = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/", getHead, (HttpContext ctx) => Serve(ctx, home, pagePolicy))
            .RunsOnSocketThread()
            .WithName("Page").WithTags("Page").WithSummary("The page: private email/phone lookup and k-anonymous password check");
        app.MapMethods("/assets/{*path}", getHead, (HttpContext ctx, string path) => Serve(ctx, assets, "/assets/" + path))
            .RunsOnSocketThread()
            .ExcludeFromDescription();
        app.MapMethods("/breaches", getHead, (HttpContext ctx) =>
            {
                var body = catalogue.Get(exposure.Current);
                SetPageHeaders(ctx.Response);
                ctx.Response.Headers.CacheControl = "no-cache";
                ctx.Response.ContentType = "text/html; charset=utf-8";
                ctx.Response.ContentLength = body.Length;
                return ctx.Response.Body.WriteAsync(body).AsTask();
            })
            .WithName("BreachCatalogue").WithTags("Page").WithSummary("Every breach with its data classes and a link to its verification report (HTML)");
        app.MapGet("/api/advice", (Func<HttpContext, Task>)(ctx =>
            {
                SetPageHeaders(ctx.Response);
                ctx.Response.Headers.CacheControl = "public, max-age=3600";
                ctx.Response.ContentType = "application/json; charset=utf-8";
                ctx.Response.ContentLength = advice.Length;
                return ctx.Response.Body.WriteAsync(advice).AsTask();
            }))
            .RunsOnSocketThread()
            .WithName("Advice").WithTags("Page")
            .WithSummary("What to do about each kind of exposed data: rules over HIBP data class names, matched by the client")
            .Produces<AdviceDocument>(StatusCodes.Status200OK, "application/json");
    }

    /// <summary>CSP, no sniffing, no referrer, no framing, no opener: on every page, asset and page API response.</summary>
    public static void SetPageHeaders(HttpResponse response, string policy = ContentSecurityPolicy)
    {
        var h = response.Headers;
        h.ContentSecurityPolicy = policy;
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        h.XFrameOptions = "DENY";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h["Cross-Origin-Resource-Policy"] = "same-origin";
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
    }

    private static Task Serve(HttpContext ctx, WebAssets assets, string path)
    {
        if (!assets.TryGet(path, out var asset))
        {
            SetPageHeaders(ctx.Response);
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return Serve(ctx, asset);
    }

    private static Task Serve(HttpContext ctx, WebAsset asset, string policy = ContentSecurityPolicy)
    {
        var response = ctx.Response;
        SetPageHeaders(response, policy);

        // Names are not content-hashed, so browsers revalidate; a match costs a 304 and no body.
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (ctx.Request.Headers.IfNoneMatch.ToString().Contains(asset.ETag, StringComparison.Ordinal))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Body.Length;
        return response.Body.WriteAsync(asset.Body).AsTask();
    }

    /// <summary>The catalogue page rendered once per served generation.</summary>
    private sealed class CataloguePageCache
    {
        private Rendered? _last;

        public byte[] Get(ServingState state)
        {
            var last = Volatile.Read(ref _last);
            if (last is not null && ReferenceEquals(last.State, state))
            {
                return last.Body;
            }

            var body = System.Text.Encoding.UTF8.GetBytes(CataloguePage.Render(state.All.Select(p => p.Breach)));
            Volatile.Write(ref _last, new Rendered(state, body));
            return body;
        }

        private sealed record Rendered(ServingState State, byte[] Body);
    }
}

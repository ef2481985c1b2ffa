using Leakwatch.Analysis;
using Leakwatch.Catalog.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server;

/// <summary>The verification report stored with each breach, as HTML for people and JSON for tools.</summary>
internal static class ReportEndpoints
{
    public const string ReportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

    public static void Map(IEndpointRouteBuilder app, ExposureService exposure, ServerOptions options)
    {
        app.MapGet("/breaches/{name}/report", (HttpContext ctx, string name, string? format) =>
        {
            string? json;
            try
            {
                json = LoadReport(exposure, options, name);
            }
            catch (Leakwatch.Core.Errors.LeakwatchException e) when (e.Kind == Leakwatch.Core.Errors.ErrorKind.StateUnavailable)
            {
                // Reports are read from the state store on demand (they are large and rarely asked for): not while it is down.
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            if (json is null)
            {
                return Results.NotFound();
            }

            var wantsJson = string.Equals(format, "json", StringComparison.OrdinalIgnoreCase)
                || (format is null && ctx.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase)
                    && !ctx.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase));
            if (wantsJson)
            {
                return Results.Text(json, "application/json");
            }

            var report = ReportJson.Deserialize(json);
            if (report is null)
            {
                return Results.NotFound();
            }

            // Self-contained: inline styles and inline SVG charts, nothing to fetch, no script, and never in a frame.
            ctx.Response.Headers.ContentSecurityPolicy = ReportPolicy;
            return Results.Text(ReportHtml.Render(report), "text/html; charset=utf-8");
        })
        .WithMetadata(HibpAccess.Anonymous)
        .WithName("BreachReport").WithTags("Verification")
        .WithSummary("The breach's verification report: HTML, or JSON with ?format=json or Accept: application/json");
    }

    private static string? LoadReport(ExposureService exposure, ServerOptions options, string name)
    {
        var breach = exposure.Current.ByName(name);
        if (breach is null)
        {
            return null;
        }

        using var catalog = StateStore.OpenReadOnly(options.State, options.DataDir);
        return catalog?.GetReport(breach.Breach.Id);
    }
}

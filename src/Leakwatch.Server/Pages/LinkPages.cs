using Microsoft.AspNetCore.Http;

namespace Leakwatch.Server.Pages;

/// <summary>
/// What every mailed one-time link has in common (subscription, unsubscribe, opt-out, domain verification): the token
/// taken from the query string, checked for shape before any store is asked, and the HTML answer page, never cached.
/// </summary>
internal static class LinkPages
{
    /// <summary>The link's token: 16-128 base64url characters, or null.</summary>
    public static string? Token(HttpContext ctx)
    {
        var value = ctx.Request.Query["token"].ToString();
        if (value.Length is < 16 or > 128)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return null;
            }
        }

        return value;
    }

    /// <summary>Answers with <paramref name="html"/> under the pages' headers, with <c>no-store</c>: a link's page
    /// speaks of one person's address and must not sit in a shared cache.</summary>
    public static Task Write(HttpContext ctx, int status, string html)
    {
        var response = ctx.Response;
        PageEndpoints.SetPageHeaders(response);
        response.Headers.CacheControl = "no-store";
        var body = System.Text.Encoding.UTF8.GetBytes(html);
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}

using Microsoft.AspNetCore.Http;

namespace Leakwatch.Server.Mcp;

/// <summary>
/// The HTTP request an MCP tool call arrived in, for the tools: who calls (the <see cref="ApiClient"/> that
/// authentication put on it) and from where (the rate and the enumeration detector count per key and network).
/// Set only around the <c>/mcp</c> endpoint (stateless: each call runs inside its own request), so other requests
/// pay nothing for it, unlike a server-wide <c>IHttpContextAccessor</c>.
/// </summary>
internal static class McpCaller
{
    private static readonly AsyncLocal<HttpContext?> s_current = new();

    public static HttpContext? Current => s_current.Value;

    /// <summary>Wraps the endpoint's handler so that the tools it runs see its request.</summary>
    public static RequestDelegate Around(RequestDelegate inner) => async ctx =>
    {
        s_current.Value = ctx;
        try
        {
            await inner(ctx);
        }
        finally
        {
            s_current.Value = null;
        }
    };
}

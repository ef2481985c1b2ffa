using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace Leakwatch.Server.Mcp;

/// <summary>
/// The MCP endpoint for AI agents: streamable HTTP at <c>/mcp</c>, stateless (each POST stands alone, so it
/// authenticates and counts like any API request and any replica can answer it), serving <see cref="LeakwatchTools"/>.
/// Authentication is the v3 API's (<see cref="HibpApi.Authenticate"/>: a User-Agent and a valid <c>hibp-api-key</c>
/// on every request, 401 otherwise); the key's rate is taken per tool call, not per request
/// (<see cref="HibpAccess.KeyPerCall"/>).
/// </summary>
internal static class McpEndpoint
{
    public const string Path = "/mcp";

    public static void AddServices(IServiceCollection services)
    {
        // Nothing can verify a domain yet; the domain store's search replaces this registration.
        services.TryAddSingleton<IDomainSearch, NoVerifiedDomains>();
        services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "leakwatch", Title = "Leakwatch", Version = "1.0" };
                o.ServerInstructions =
                    "Leakwatch answers which known data breaches an email address or phone number appears in (search_account), " +
                    "describes breaches (get_breach, list_breaches), searches a verified domain's breached addresses " +
                    "(domain_search) and serves k-anonymous Pwned Passwords ranges (password_range). Every tool call counts " +
                    "against the API key's rate limit.";
            })
            .WithHttpTransport(t => t.SessionMode = HttpServerSessionMode.Stateless)
            .WithTools<LeakwatchTools>()
            .WithRequestFilters(f => f.AddCallToolFilter(McpArguments.Checked));
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var mcp = app.MapMcp(Path)
            .WithMetadata(HibpAccess.KeyPerCall)
            .ExcludeFromDescription();
        // Last, once the SDK has set each endpoint's handler.
        mcp.Finally(endpoint => endpoint.RequestDelegate = endpoint.RequestDelegate is { } inner ? McpCaller.Around(inner) : null);
    }
}

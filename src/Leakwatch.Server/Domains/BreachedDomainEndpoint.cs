using System.Text.Json;
using Leakwatch.Core.Errors;
using Leakwatch.Notify.Domains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Domains;

/// <summary>
/// <c>GET /api/v3/breacheddomain/{domain}</c> (HIBP v3, docs/organisations.md "Domain search"): the breached aliases
/// of a domain the calling key has verified, <c>{"alias": ["Breach", …]}</c> in alias order; 403 for a domain the key
/// has not verified (nothing about it is told), 404 when no address of it is in a published breach. Key only (the
/// test key gets 401), counted by the key's rate limit like every keyed endpoint, and each answer goes to the audit
/// log (key, domain, how many aliases; never an alias).
/// </summary>
internal sealed partial class BreachedDomainEndpoint(DomainBreaches breaches, DomainApi domains, ILoggerFactory logs)
{
    private const string TextContentType = "text/plain; charset=utf-8";
    private static readonly byte[] TestKey = "Access denied due to invalid hibp-api-key."u8.ToArray();
    private static readonly byte[] NotVerified = "Forbidden: this domain has not been verified for this API key."u8.ToArray();

    private readonly ILogger _audit = logs.CreateLogger("Leakwatch.Audit");

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v3/breacheddomain/{domain}", (HttpContext ctx, string domain) => Handle(ctx, domain))
            .WithTags("HIBP API v3")
            .WithMetadata(HibpAccess.Key)
            .WithName("BreachedDomain")
            .WithSummary("The breached email addresses of a domain the calling key has verified")
            .WithDescription("A JSON object mapping each alias (the part before @) to the names of the breaches it is in. "
                + "403 when the key has not verified the domain; 404 when no address of it is in a breach. Opted-out addresses are left out.")
            .Produces<Dictionary<string, List<string>>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status429TooManyRequests);
    }

    private async Task Handle(HttpContext ctx, string domain)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        var key = ctx.Features.Get<ApiClient>()?.Key;
        if (key is null)
        {
            await Write(ctx, StatusCodes.Status401Unauthorized, TestKey);
            return;
        }

        string name;
        try
        {
            name = DomainOwnership.Normalize(domain);
        }
        catch (LeakwatchException e)
        {
            await Write(ctx, StatusCodes.Status400BadRequest, System.Text.Encoding.UTF8.GetBytes("Bad request: " + e.Message));
            return;
        }

        // The state store, the index and the domain store all block: off the socket thread first.
        await SocketThreads.LeaveAsync();
        if (!domains.IsVerified(key.Id, name))
        {
            LogSearch(_audit, key.Id, name, "not verified", 0);
            await Write(ctx, StatusCodes.Status403Forbidden, NotVerified);
            return;
        }

        var found = breaches.Find(name);
        LogSearch(_audit, key.Id, name, "answered", found.Count);
        if (found.Count == 0)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            ctx.Response.ContentLength = 0;
            return;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 + (found.Count * 32));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (alias, list) in found)
            {
                w.WritePropertyName(alias);
                w.WriteStartArray();
                foreach (var b in list)
                {
                    w.WriteStringValue(b.Name);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.ContentLength = buffer.WrittenCount;
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private static Task Write(HttpContext ctx, int status, byte[] body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = TextContentType;
        ctx.Response.ContentLength = body.Length;
        return ctx.Response.Body.WriteAsync(body).AsTask();
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "domain search: key {KeyId} domain {Domain} {Outcome}, {Aliases} aliases")]
    private static partial void LogSearch(ILogger logger, int keyId, string domain, string outcome, int aliases);
}

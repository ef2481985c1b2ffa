using System.Text.Json;
using Leakwatch.Catalog.Lookup;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server;

/// <summary>Stealer logs by email (HIBP's <c>stealerlogsbyemail</c>): the website domains an address's credentials
/// were captured on, from the sealed website store (<see cref="Leakwatch.Index.Stealer.StealerSiteFile"/>). Key only,
/// counted by the key's rate limit and the enumeration detector like an account search; an opted-out address, an
/// address in no stealer log (or only in removed or retired ones) and a data dir without one all answer 404.</summary>
internal sealed partial class HibpApi
{
    private static readonly byte[] BadEmail = "Bad request: the account is not a valid email address."u8.ToArray();

    private void MapStealerLogs(RouteGroupBuilder v3)
    {
        v3.MapGet("/stealerlogsbyemail/{email}", (HttpContext ctx, string email) => StealerLogsByEmail(ctx, email))
            .WithMetadata(HibpAccess.Key, SharedCountersRequired.Instance)
            .WithName("StealerLogsByEmail")
            .WithSummary("Website domains an email address's credentials were captured on by info-stealer malware")
            .WithDescription("A JSON array of website domains (lowercase, without www.; an Android app by its package name). 404 when the address is in no stealer log.")
            .Produces<List<string>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status429TooManyRequests);
        MapStealerDomains(v3);
    }

    private Task StealerLogsByEmail(HttpContext ctx, string email)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        var client = ctx.Features.Get<ApiClient>()!;
        if (client.IsTestKey)
        {
            return WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, InvalidKey);
        }

        var clientId = ClientId.ForKey(client.Key!.Id);
        var network = ClientNetwork.Of(ctx.Connection.RemoteIpAddress);
        if (_detector.IsBlocked(clientId, network, out var retryAfter))
        {
            _metrics.EnumerationRejections.Inc();
            return TooManyRequests(ctx, retryAfter);
        }

        if (!email.Contains('@'))
        {
            return WriteBytes(ctx, StatusCodes.Status400BadRequest, TextContentType, BadEmail);
        }

        var state = _exposure.Acquire();
        UInt128 key;
        string[]? websites = null;
        try
        {
            if (state.TryKey(email, _exposure.Phones, out key) != AccountKind.Email)
            {
                return WriteBytes(ctx, StatusCodes.Status400BadRequest, TextContentType, BadEmail);
            }

            if (!_optOuts.Contains(key) && state.InStealerLog(key))
            {
                websites = state.FindWebsites(key);
            }
        }
        finally
        {
            state.Release();
        }

        var found = websites is { Length: > 0 };
        if (_detector.Record(clientId, network, client.Key.Rpm, new DetectedLookup(key, AccountKind.Email, 0, found)))
        {
            _metrics.EnumerationRejections.Inc();
            _detector.IsBlocked(clientId, network, out retryAfter);
            return TooManyRequests(ctx, retryAfter);
        }

        return found
            ? WriteJson(ctx, JsonSerializer.SerializeToUtf8Bytes(new List<string>(websites!), ServerJson.Default.ListString))
            : NotFound(ctx);
    }
}

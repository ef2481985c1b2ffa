using System.Buffers;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>Stealer logs by email domain (alias → website domains) and by website domain (the addresses seen
/// logging into it), HIBP's <c>stealerlogsbyemaildomain</c> and <c>stealerlogsbywebsitedomain</c>, from the paged
/// sealed stores (<see cref="Leakwatch.Index.Stealer.StealerPageKeys"/>). Key only and only for the calling key's
/// verified domains (403 otherwise), counted by the key's rate limit, refused while the enumeration detector blocks
/// the key, and written to the audit log (key and endpoint, never the domain's logins). Opted-out addresses are left
/// out; nothing left answers 404.</summary>
internal sealed partial class HibpApi
{
    private static readonly byte[] BadDomain = "Bad request: the domain is not a valid domain name."u8.ToArray();
    private static readonly byte[] NotVerified = "Forbidden: the domain has not been verified for this API key."u8.ToArray();
    private ILogger? _stealerAudit;

    private void MapStealerDomains(RouteGroupBuilder v3)
    {
        v3.MapGet("/stealerlogsbyemaildomain/{domain}", (HttpContext ctx, string domain) => StealerLogsByDomain(ctx, domain, byWebsite: false))
            .WithMetadata(HibpAccess.Key)
            .WithName("StealerLogsByEmailDomain")
            .WithSummary("Aliases on a verified email domain and the website domains their credentials were captured on")
            .WithDescription("A JSON object: alias → array of website domains. The calling key must have verified the domain (403 otherwise); 404 when nothing is recorded.")
            .Produces<Dictionary<string, List<string>>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status429TooManyRequests);

        v3.MapGet("/stealerlogsbywebsitedomain/{domain}", (HttpContext ctx, string domain) => StealerLogsByDomain(ctx, domain, byWebsite: true))
            .WithMetadata(HibpAccess.Key)
            .WithName("StealerLogsByWebsiteDomain")
            .WithSummary("Email addresses whose credentials for a verified website domain were captured by info-stealer malware")
            .WithDescription("A JSON array of email addresses. The calling key must have verified the website's domain (403 otherwise); 404 when nothing is recorded.")
            .Produces<List<string>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status429TooManyRequests);
    }

    private Task StealerLogsByDomain(HttpContext ctx, string domain, bool byWebsite)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        var client = ctx.Features.Get<ApiClient>()!;
        if (client.IsTestKey)
        {
            return WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, InvalidKey);
        }

        var clientId = ClientId.ForKey(client.Key!.Id);
        if (_detector.IsBlocked(clientId, ClientNetwork.Of(ctx.Connection.RemoteIpAddress), out var retryAfter))
        {
            _metrics.EnumerationRejections.Inc();
            return TooManyRequests(ctx, retryAfter);
        }

        // A website is stored as the stealer-log parser wrote it: lowercase, without www.
        var name = DomainNameNormalizer.Normalize(byWebsite && domain.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? domain[4..] : domain);
        if (name is null)
        {
            return WriteBytes(ctx, StatusCodes.Status400BadRequest, TextContentType, BadDomain);
        }

        var verified = ctx.RequestServices.GetRequiredService<Domains.DomainApi>().IsVerified(client.Key.Id, name);
        _stealerAudit ??= ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Leakwatch.Audit");
        LogStealerDomainSearch(_stealerAudit, client.Key.Id, byWebsite ? "stealerlogsbywebsitedomain" : "stealerlogsbyemaildomain", verified);
        if (!verified)
        {
            return WriteBytes(ctx, StatusCodes.Status403Forbidden, TextContentType, NotVerified);
        }

        var state = _exposure.Acquire();
        byte[]? body;
        try
        {
            body = byWebsite ? WebsiteAnswer(state, state.FindWebsitePages(name)) : EmailDomainAnswer(state, name, state.FindEmailDomainPages(name));
        }
        finally
        {
            state.Release();
        }

        return body is null ? NotFound(ctx) : WriteJson(ctx, body);
    }

    /// <summary><c>{"alias": ["site", ...], ...}</c>, opted-out addresses and those of removed logs left out; null when nothing is left.</summary>
    private byte[]? EmailDomainAnswer(ServingState state, string domain, List<byte[]> pages)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var any = false;
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var line in Lines(pages))
            {
                var fields = line.Split('\t');
                if (Hidden(state, fields[0] + "@" + domain))
                {
                    continue;
                }

                w.WriteStartArray(fields[0]);
                for (var i = 1; i < fields.Length; i++)
                {
                    w.WriteStringValue(fields[i]);
                }

                w.WriteEndArray();
                any = true;
            }

            w.WriteEndObject();
        }

        return any ? buffer.WrittenSpan.ToArray() : null;
    }

    /// <summary><c>["email", ...]</c> in ordinal order, opted-out addresses and those of removed logs left out; null when nothing is left.</summary>
    private byte[]? WebsiteAnswer(ServingState state, List<byte[]> pages)
    {
        var emails = new List<string>();
        foreach (var line in Lines(pages))
        {
            if (!Hidden(state, line))
            {
                emails.Add(line);
            }
        }

        if (emails.Count == 0)
        {
            return null;
        }

        emails.Sort(StringComparer.Ordinal);
        return JsonSerializer.SerializeToUtf8Bytes(emails, ServerJson.Default.ListString);
    }

    /// <summary>An address the answer leaves out: opted out, or no longer in any published stealer-log breach (the
    /// log was removed or retired; <see cref="ServingState.InStealerLog"/>).</summary>
    private bool Hidden(ServingState state, string email) =>
        state.TryKey(email, _exposure.Phones, out var key) != AccountKind.Email || _optOuts.Contains(key) || !state.InStealerLog(key);

    private static IEnumerable<string> Lines(List<byte[]> pages)
    {
        foreach (var page in pages)
        {
            foreach (var line in Encoding.UTF8.GetString(page).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return line;
            }
        }
    }

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "stealer-log domain search: key {KeyId}, {Endpoint}, verified {Verified}")]
    private static partial void LogStealerDomainSearch(ILogger logger, int keyId, string endpoint, bool verified);
}

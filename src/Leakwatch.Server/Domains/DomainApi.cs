using System.Text.Json;
using Leakwatch.Catalog.Domains;
using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Leakwatch.Notify;
using Leakwatch.Notify.Domains;
using Leakwatch.Privacy;
using Leakwatch.Server.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server.Domains;

/// <summary>
/// Domain verification for API keys (docs/organisations.md, "Domain verification"): <c>/api/domains</c> adds, lists,
/// verifies (DNS TXT or a mailed link) and removes the calling key's domains, and <c>GET /api/v3/subscribeddomains</c>
/// answers its verified ones on the HIBP wire. Every keyed endpoint needs <c>hibp-api-key</c> (a stored key, not the
/// test key) and counts against the key's rate. The mailed link's page (<c>/api/domains/verify</c>) is anonymous and
/// asks before it verifies, since mail scanners fetch links. The work is <see cref="DomainOwnership"/>'s.
/// </summary>
internal sealed class DomainApi
{
    private const int MaxBodyBytes = 4096;

    private readonly ServerOptions _options;
    private readonly DeliveryService _delivery;
    private readonly IDomainCounts _counts;
    private readonly Lazy<StateStore> _store;
    private readonly Lazy<DnsTxtChecker> _dns;
    private readonly string _keyFilePath;
    private readonly Lock _keysLock = new();
    private NotifySealing? _sealing;

    public DomainApi(ServerOptions options, DeliveryService delivery, IDomainCounts counts)
    {
        _options = options;
        _delivery = delivery;
        _counts = counts;
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
        _store = new Lazy<StateStore>(() => StateStore.Open(options.State, options.DataDir));
        _dns = new Lazy<DnsTxtChecker>(() => new DnsTxtChecker(options.DnsServer));
    }

    private DomainOwnership Ownership() => new(_store.Value, _options.TimeProvider);

    /// <summary>For the domain-search endpoints: whether the key has verified the domain (they answer 403 otherwise).</summary>
    public bool IsVerified(int keyId, string domain) => Ownership().IsVerified(keyId, domain);

    public void Map(IEndpointRouteBuilder app)
    {
        var domains = app.MapGroup("/api/domains").WithTags("Domains").WithMetadata(HibpAccess.Key);
        domains.MapPost("", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => AddAsync(ctx))))
            .WithName("AddDomain").WithSummary("Claims a domain for the calling key and returns the TXT record that proves control")
            .WithDescription("Body {\"domain\": \"example.com\"} (IDN allowed; stored as punycode). 201 with txtRecord "
                + "(leakwatch-verification=<token>, shown only now) for a new or still pending domain: adding a pending domain again issues a "
                + "fresh token and the previous one stops working. 200 with txtRecord null when the key already verified it. 400 names the field.")
            .Accepts<DomainRequest>("application/json")
            .Produces<DomainAdded>(StatusCodes.Status201Created, "application/json")
            .Produces<DomainError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces(StatusCodes.Status401Unauthorized);
        domains.MapGet("", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => Task.FromResult(List(ctx)))))
            .WithName("ListDomains").WithSummary("The calling key's domains, pending and verified")
            .Produces<List<DomainView>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status401Unauthorized);
        domains.MapPost("/{domain}/verify", (HttpContext ctx, string domain) => Guard(() => VerifyAsync(ctx, domain)))
            .WithName("VerifyDomain").WithSummary("Checks the domain's TXT record now, or mails a one-time link to one of its role mailboxes")
            .WithDescription("Body optional: {\"method\": \"dns\"} (default) or {\"method\": \"email\", \"mailbox\": \"security\"} "
                + "(security, hostmaster, postmaster or admin). dns: 200 with the domain when the record holds the key's token, 422 saying "
                + "what was found otherwise. email: 202; the link (valid 24 h, works once) opens a page whose button verifies; at most one "
                + "mail per key and domain every 10 minutes (429). 404 when the key has not added the domain.")
            .Accepts<DomainVerifyRequest>("application/json")
            .Produces<DomainView>(StatusCodes.Status200OK, "application/json")
            .Produces<DomainMailQueued>(StatusCodes.Status202Accepted, "application/json")
            .Produces<DomainError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<DomainError>(StatusCodes.Status404NotFound, "application/json")
            .Produces<DomainError>(StatusCodes.Status422UnprocessableEntity, "application/json");
        domains.MapDelete("/{domain}", (HttpContext ctx, string domain) => Guard(() => Task.FromResult(Remove(ctx, domain))))
            .WithName("RemoveDomain").WithSummary("Drops the calling key's claim on a domain (its verification with it)")
            .Produces(StatusCodes.Status204NoContent).Produces<DomainError>(StatusCodes.Status404NotFound, "application/json");

        // The mailed link: anonymous, per-IP limited like the other mailed links.
        var link = app.MapGroup("/api/domains/verify").WithTags("Domains");
        link.MapGet("", (Func<HttpContext, Task>)LinkPage)
            .RequireRateLimiting(NotifyEndpoints.Policy)
            .WithName("DomainVerifyPage").WithSummary("The mailed domain-verification link: a page with a button (a GET changes nothing)")
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status404NotFound);
        link.MapPost("", (Func<HttpContext, Task>)ConfirmLink)
            .RequireRateLimiting(NotifyEndpoints.Policy)
            .WithName("DomainVerifyConfirm").WithSummary("Verifies the domain of the mailed link (HTML); works once, for 24 h")
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status404NotFound);

        app.MapGet("/api/v3/subscribeddomains", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => Task.FromResult(Subscribed(ctx)))))
            .WithTags("HIBP API v3")
            .WithMetadata(HibpAccess.Key)
            .WithName("SubscribedDomains")
            .WithSummary("The calling key's verified domains, with their breached-address counts (null while unknown)")
            .Produces<List<SubscribedDomain>>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status401Unauthorized);
    }

    private static int? KeyId(HttpContext ctx) => ctx.Features.Get<ApiClient>()?.Key?.Id;

    private static IResult Error(int status, string message) =>
        Results.Json(new DomainError(status, message), DomainJson.Default.DomainError, statusCode: status);

    private static IResult TestKey() =>
        Error(StatusCodes.Status401Unauthorized, "hibp-api-key: the test key cannot own domains; use a key made by `leakwatch keys create`");

    private static async Task<IResult> Guard(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (LeakwatchException e) when (e.Kind == ErrorKind.StateUnavailable)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "the state store cannot be reached; try again later");
        }
        catch (LeakwatchException e) when (e.Kind is ErrorKind.Usage or ErrorKind.BadInput)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (LeakwatchException e) when (e.Kind == ErrorKind.NotFound)
        {
            return Error(StatusCodes.Status404NotFound, e.Message);
        }
    }

    private async Task<IResult> AddAsync(HttpContext ctx)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var (request, refusal) = await ReadBodyAsync(ctx, DomainJson.Default.DomainRequest, required: true);
        if (refusal is not null)
        {
            return refusal;
        }

        await SocketThreads.LeaveAsync();
        var (result, token) = Ownership().Add(keyId, request!.Domain);
        var d = result.Domain;
        if (token is null)
        {
            return Results.Json(new DomainAdded(d.Domain, d.State, null, $"{d.Domain} is already verified for this key"),
                DomainJson.Default.DomainAdded, statusCode: StatusCodes.Status200OK);
        }

        return Results.Json(new DomainAdded(d.Domain, d.State, DomainTxtRecord.For(token),
                $"Publish this TXT record at {d.Domain}, then POST /api/domains/{d.Domain}/verify"),
            DomainJson.Default.DomainAdded, statusCode: StatusCodes.Status201Created);
    }

    private IResult List(HttpContext ctx)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var list = _store.Value.Domains(keyId).ConvertAll(View);
        return Results.Json(list, DomainJson.Default.ListDomainView);
    }

    private async Task<IResult> VerifyAsync(HttpContext ctx, string domain)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var (request, refusal) = await ReadBodyAsync(ctx, DomainJson.Default.DomainVerifyRequest, required: false);
        if (refusal is not null)
        {
            return refusal;
        }

        await SocketThreads.LeaveAsync();
        var method = (request?.Method ?? "dns").Trim().ToLowerInvariant();
        if (method == "email")
        {
            return RequestMail(keyId, domain, request?.Mailbox);
        }

        if (method != "dns")
        {
            return Error(StatusCodes.Status400BadRequest, "method: must be dns or email");
        }

        var (claim, check) = await Ownership().VerifyDnsAsync(keyId, domain, _dns.Value, ctx.RequestAborted);
        await SocketThreads.LeaveAsync();
        return check.Outcome == DnsCheckOutcome.Verified
            ? Results.Json(View(claim), DomainJson.Default.DomainView)
            : Error(StatusCodes.Status422UnprocessableEntity, check.Message);
    }

    private IResult RequestMail(int keyId, string domain, string? mailbox)
    {
        if (_options.Mail is null)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "method: this server sends no mail (serve --smtp); verify by DNS");
        }

        if (LoadSealing() is not { } sealing)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "the data dir has no key file yet: ingest a breach first");
        }

        var name = DomainOwnership.Normalize(domain);
        var outcome = Ownership().RequestMail(keyId, name, mailbox, sealing);
        var box = $"{(mailbox ?? "").Trim().ToLowerInvariant()}@{name}";
        switch (outcome)
        {
            case MailRequestOutcome.AlreadyVerified:
                return Results.Json(View(Ownership().Claim(keyId, name)), DomainJson.Default.DomainView);
            case MailRequestOutcome.TooSoon:
                return Error(StatusCodes.Status429TooManyRequests,
                    $"mailbox: a link for {name} was mailed less than {DomainOwnership.MailQuiet.TotalMinutes:0} minutes ago; use it, or ask again later");
            default:
                _delivery.Wake();
                return Results.Json(new DomainMailQueued(name, box, $"A mail with a link (valid 24 hours, works once) is on its way to {box}"),
                    DomainJson.Default.DomainMailQueued, statusCode: StatusCodes.Status202Accepted);
        }
    }

    private IResult Remove(HttpContext ctx, string domain)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var name = DomainOwnership.Normalize(domain);
        return Ownership().Remove(keyId, name)
            ? Results.NoContent()
            : Error(StatusCodes.Status404NotFound, $"domain: {name} has not been added for this key");
    }

    private IResult Subscribed(HttpContext ctx)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var verified = _store.Value.VerifiedDomains(keyId);
        var list = new List<SubscribedDomain>(verified.Count);
        foreach (var d in verified)
        {
            var counts = _counts.CountsFor(d.Domain);
            // Self-hosted keys have no subscription to renew: the renewal date is null, as HIBP allows.
            list.Add(new SubscribedDomain(d.Domain, counts?.PwnCount, counts?.PwnCountExcludingSpamLists,
                counts?.PwnCountExcludingSpamListsAtLastSubscriptionRenewal, null));
        }

        return Results.Json(list, DomainJson.Default.ListSubscribedDomain);
    }

    private static DomainView View(OwnedDomain d) => new(d.Domain, d.State, d.Method, d.Created, d.Verified);

    private async Task LinkPage(HttpContext ctx)
    {
        if (LinkPages.Token(ctx) is not { } token)
        {
            await Expired(ctx);
            return;
        }

        await SocketThreads.LeaveAsync();
        if (Ownership().PendingLink(token) is not { } domain)
        {
            await Expired(ctx);
            return;
        }

        await LinkPages.Write(ctx, StatusCodes.Status200OK, NoticePage.Render($"Verify {domain}",
            $"Press the button to confirm that the Leakwatch API key which asked may search {domain} for breached addresses.",
            formAction: "/api/domains/verify?token=" + Uri.EscapeDataString(token), buttonText: "Verify the domain"));
    }

    private async Task ConfirmLink(HttpContext ctx)
    {
        if (LinkPages.Token(ctx) is not { } token)
        {
            await Expired(ctx);
            return;
        }

        await SocketThreads.LeaveAsync();
        if (Ownership().ConfirmLink(token) is not { } verified)
        {
            await Expired(ctx);
            return;
        }

        await LinkPages.Write(ctx, StatusCodes.Status200OK, NoticePage.Render("Domain verified",
            $"{verified.Domain} is now verified for the API key that asked. Its holder can search the domain's breached addresses."));
    }

    private static Task Expired(HttpContext ctx) => LinkPages.Write(ctx, StatusCodes.Status404NotFound, NoticePage.Render("Link expired or already used",
        "This verification link has expired (links work for 24 hours), was already used, or is incomplete. Ask for a new one through the API."));

    private NotifySealing? LoadSealing()
    {
        lock (_keysLock)
        {
            if (_sealing is null && File.Exists(_keyFilePath))
            {
                _sealing = new NotifySealing(KeyFile.Load(_keyFilePath));
            }

            return _sealing;
        }
    }

    /// <summary>Reads a small JSON body; an empty body is null (or a refusal naming the body when
    /// <paramref name="required"/>).</summary>
    private static async Task<(T? Value, IResult? Refusal)> ReadBodyAsync<T>(HttpContext ctx, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, bool required)
        where T : class
    {
        if (ctx.Request.ContentLength > MaxBodyBytes)
        {
            return (null, Error(StatusCodes.Status400BadRequest, $"body: larger than {MaxBodyBytes} bytes"));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted)) > 0)
        {
            if (buffer.Length + n > MaxBodyBytes)
            {
                return (null, Error(StatusCodes.Status400BadRequest, $"body: larger than {MaxBodyBytes} bytes"));
            }

            buffer.Write(chunk, 0, n);
        }

        if (buffer.Length == 0)
        {
            return required
                ? (null, Error(StatusCodes.Status400BadRequest, "body: required, e.g. {\"domain\": \"example.com\"}"))
                : (null, null);
        }

        try
        {
            var value = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type);
            return value is null ? (null, Error(StatusCodes.Status400BadRequest, "body: expected a JSON object")) : (value, null);
        }
        catch (JsonException)
        {
            return (null, Error(StatusCodes.Status400BadRequest, "body: malformed JSON (expected an object such as {\"domain\": \"example.com\"})"));
        }
    }
}

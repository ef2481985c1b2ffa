using System.Globalization;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Core.Errors;
using Leakwatch.Notify;
using Leakwatch.Notify.Delivery;
using Leakwatch.Privacy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server.Monitor;

/// <summary>
/// <c>/api/monitor/...</c>: what an organisation's API key monitors and where it is told. Identifiers are stored as
/// index keys (the keyed hash the exposure index uses) with a kind and a hint that cannot name them (a phone's last
/// two digits); webhook secrets are stored sealed. Every endpoint needs <c>hibp-api-key</c> (a stored key, not the
/// test key) and counts against the key's rate.
/// </summary>
internal sealed class MonitorApi : IDisposable
{
    private const int WebhookBodyLimit = 16 * 1024;
    private const int MaxPage = 1000;

    private readonly ServerOptions _options;
    private readonly ExposureService _exposure;
    private readonly Lazy<StateStore> _store;
    private readonly string _keyFilePath;
    private readonly Lock _keysLock = new();
    private (IdentifierHasher Hasher, NotifySealing Sealing)? _keys;
    private WebhookDeliveryChannel? _pinger;

    public MonitorApi(ServerOptions options, ExposureService exposure)
    {
        _options = options;
        _exposure = exposure;
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
        _store = new Lazy<StateStore>(() => StateStore.Open(options.State, options.DataDir));
    }

    public void Map(IEndpointRouteBuilder app)
    {
        var monitor = app.MapGroup("/api/monitor").WithTags("Monitoring").WithMetadata(HibpAccess.Key);
        var limits = $"At most {_options.MonitorLimit.ToString(CultureInfo.InvariantCulture)} identifiers per API key in total; "
            + $"a body of at most {_options.MonitorBodyLimit.ToString(CultureInfo.InvariantCulture)} bytes.";
        const string Body = "The body is a JSON array of strings (Content-Type: application/json) or one identifier a line (any other type; "
            + "blank lines and lines starting with # are skipped). Emails and phone numbers (E.164, or national with the server's region). "
            + "Only keyed hashes are stored, with the kind and, for a phone, its last two digits. An upload is all or nothing: "
            + "invalid entries are named by line (JSON: by position), never echoed. ";

        monitor.MapPost("/identifiers", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => UploadAsync(ctx, replace: false))))
            .WithName("MonitorAddIdentifiers").WithSummary("Adds emails and phone numbers to what the key monitors")
            .WithDescription(Body + limits)
            .Accepts<List<string>>("application/json", "text/plain")
            .Produces<MonitorUploadResult>(StatusCodes.Status200OK, "application/json")
            .Produces<MonitorError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces<MonitorError>(StatusCodes.Status413PayloadTooLarge, "application/json");

        monitor.MapPut("/identifiers", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => UploadAsync(ctx, replace: true))))
            .WithName("MonitorReplaceIdentifiers").WithSummary("Replaces everything the key monitors with the list sent")
            .WithDescription(Body + limits)
            .Accepts<List<string>>("application/json", "text/plain")
            .Produces<MonitorUploadResult>(StatusCodes.Status200OK, "application/json")
            .Produces<MonitorError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces<MonitorError>(StatusCodes.Status413PayloadTooLarge, "application/json");

        monitor.MapGet("/identifiers", (HttpContext ctx, long? offset, int? limit) => Guard(() => Task.FromResult(List(ctx, offset, limit))))
            .WithName("MonitorListIdentifiers").WithSummary("How many identifiers the key monitors, and a page of their kinds and hints")
            .WithDescription("offset (default 0) and limit (default 100, at most 1000) page through them, in an order that says nothing about them.")
            .Produces<MonitorListing>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status401Unauthorized);

        monitor.MapDelete("/identifiers", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => RemoveAsync(ctx))))
            .WithName("MonitorRemoveIdentifiers").WithSummary("Stops monitoring the identifiers sent, or all of them when no body is sent")
            .Accepts<List<string>>("application/json", "text/plain")
            .Produces<MonitorRemoveResult>(StatusCodes.Status200OK, "application/json")
            .Produces<MonitorError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces(StatusCodes.Status401Unauthorized);

        monitor.MapPost("/webhooks", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => AddWebhookAsync(ctx))))
            .WithName("MonitorAddWebhook").WithSummary("Registers a webhook (Standard Webhooks) for breach.exposed and/or breach.published")
            .WithDescription("url: http or https, whose host must not be or resolve to a loopback, private, link-local, CGNAT or multicast "
                + "address (unless the server runs with --allow-private-webhooks). secret: whsec_ and base64 of 24-64 bytes; generated when "
                + "left out, and shown only in this answer. events: default all (breach.exposed, breach.published, domain.breach). At most "
                + _options.WebhookLimit.ToString(CultureInfo.InvariantCulture) + " webhooks per API key.")
            .Accepts<WebhookRequest>("application/json")
            .Produces<WebhookCreated>(StatusCodes.Status201Created, "application/json")
            .Produces<MonitorError>(StatusCodes.Status400BadRequest, "application/json")
            .Produces(StatusCodes.Status401Unauthorized);

        monitor.MapGet("/webhooks", (Func<HttpContext, Task<IResult>>)(ctx => Guard(() => Task.FromResult(ListWebhooks(ctx)))))
            .WithName("MonitorListWebhooks").WithSummary("The key's webhooks (never their secrets), disabled ones with why")
            .Produces<List<WebhookView>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status401Unauthorized);

        monitor.MapDelete("/webhooks/{id:long}", (HttpContext ctx, long id) => Guard(() => Task.FromResult(DeleteWebhook(ctx, id))))
            .WithName("MonitorDeleteWebhook").WithSummary("Deletes one of the key's webhooks and what is still queued for it")
            .Produces(StatusCodes.Status204NoContent)
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status404NotFound);

        monitor.MapPost("/webhooks/{id:long}/test", (HttpContext ctx, long id) => Guard(() => TestWebhookAsync(ctx, id)))
            .WithName("MonitorTestWebhook").WithSummary("Sends a signed webhook.test event to the webhook now and says how it answered")
            .WithDescription("{\"type\": \"webhook.test\", \"timestamp\": ..., \"data\": {\"webhook\": id}}, signed like every delivery. "
                + "result: delivered, retry (5xx, 408, 429, timeout, connection error), dead (other answers, refused addresses) or gone (410: the webhook is now disabled).")
            .Produces<WebhookTestResult>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status404NotFound);
    }

    /// <summary>The calling key's id; null for the all-zero test key, which monitors nothing.</summary>
    private static int? KeyId(HttpContext ctx) => ctx.Features.Get<ApiClient>()?.Key?.Id;

    private static IResult Error(int status, string message) =>
        Results.Json(new MonitorError(status, message), MonitorJson.Default.MonitorError, statusCode: status);

    private static IResult TestKey() =>
        Error(StatusCodes.Status401Unauthorized, "hibp-api-key: the test key cannot monitor; use a key made by `leakwatch keys create`");

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
    }

    /// <summary>The keyed hasher and the sealers; null until the data dir has a key file (the first ingest makes it).</summary>
    private (IdentifierHasher Hasher, NotifySealing Sealing)? Keys()
    {
        lock (_keysLock)
        {
            if (_keys is null && File.Exists(_keyFilePath))
            {
                var keys = KeyFile.Load(_keyFilePath);
                _keys = (new IdentifierHasher(keys), new NotifySealing(keys));
            }

            return _keys;
        }
    }

    private static IResult NoKeyFile() =>
        Error(StatusCodes.Status503ServiceUnavailable, "the data dir has no key file yet: ingest a breach first");

    private async Task<IResult> UploadAsync(HttpContext ctx, bool replace)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        if (Keys() is not { } keys)
        {
            return NoKeyFile();
        }

        var (upload, refusal) = await ReadListAsync(ctx, keys.Hasher, _options.MonitorLimit);
        if (refusal is not null)
        {
            return refusal;
        }

        // The body was read with awaits that may have completed on the socket engine thread (inline completions):
        // blocking store calls go to the pool first (SocketThreads).
        await SocketThreads.LeaveAsync();
        var result = _store.Value.AddMonitored(keyId, upload!, _options.TimeProvider.GetUtcNow(), _options.MonitorLimit, replace);
        if (result.OverLimit)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"identifiers: at most {_options.MonitorLimit} per API key; the key monitors {result.Total}, and this upload would take it past the limit (nothing was stored)"));
        }

        return Results.Json(new MonitorUploadResult(result.Added, result.Total, _options.MonitorLimit), MonitorJson.Default.MonitorUploadResult);
    }

    /// <summary>Reads and keys a streamed list; on any invalid entry, a body over its size or more entries than
    /// <paramref name="limit"/>, the refusal (nothing is kept of the list).</summary>
    private async Task<(MonitorUpload? Upload, IResult? Refusal)> ReadListAsync(HttpContext ctx, IdentifierHasher hasher, long limit)
    {
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = _options.MonitorBodyLimit;
        }

        var json = ctx.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        var upload = new MonitorUpload();
        var email = new char[EmailNormalizer.MaxLength];
        var phones = _exposure.Phones.Value;
        var over = false;
        try
        {
            await IdentifierListReader.ReadAsync(ctx.Request.Body, json, (text, line) =>
            {
                if (text.Contains('@'))
                {
                    if (EmailNormalizer.TryNormalize(text, email, out var n))
                    {
                        upload.AddEmail(hasher.HashEmail(email.AsSpan(0, n)));
                    }
                    else
                    {
                        upload.Invalid(line);
                    }
                }
                else if (text.Length > 0 && phones.TryNormalize(text, out var e164))
                {
                    upload.AddPhone(hasher.HashPhone(e164), e164);
                }
                else
                {
                    upload.Invalid(line);
                }

                over = upload.Count > limit;
                return !over;
            }, ctx.RequestAborted);
        }
        catch (JsonException e)
        {
            return (null, Error(StatusCodes.Status400BadRequest, string.Create(CultureInfo.InvariantCulture,
                $"body: not a JSON array of strings (at line {(e.LineNumber ?? 0) + 1}); send Content-Type: text/plain for one identifier a line")));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Error(StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"body: larger than {_options.MonitorBodyLimit} bytes")));
        }

        if (over)
        {
            return (null, Error(StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"identifiers: at most {limit} per API key; this upload alone has more (nothing was stored)")));
        }

        if (upload.InvalidCount > 0)
        {
            var where = new StringBuilder(json ? "entries " : "lines ");
            where.AppendJoin(", ", upload.InvalidLines);
            if (upload.InvalidCount > upload.InvalidLines.Count)
            {
                where.Append(CultureInfo.InvariantCulture, $" and {upload.InvalidCount - upload.InvalidLines.Count} more");
            }

            return (null, Error(StatusCodes.Status400BadRequest, string.Create(CultureInfo.InvariantCulture,
                $"identifiers: {upload.InvalidCount} invalid (not an email address or phone number) at {where}; nothing was stored")));
        }

        return (upload, null);
    }

    private IResult List(HttpContext ctx, long? offset, int? limit)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var from = Math.Max(0, offset ?? 0);
        var max = Math.Clamp(limit ?? 100, 0, MaxPage);
        var store = _store.Value;
        var total = store.CountMonitored(keyId);
        var page = max == 0 ? [] : store.ListMonitored(keyId, from, max);
        var entries = new List<MonitoredEntry>(page.Count);
        foreach (var row in page)
        {
            entries.Add(new MonitoredEntry(row.Kind == (int)AccountKind.Phone ? "phone" : "email", row.Hint, row.Created));
        }

        return Results.Json(new MonitorListing(total, _options.MonitorLimit, from, entries), MonitorJson.Default.MonitorListing);
    }

    private async Task<IResult> RemoveAsync(HttpContext ctx)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var hasBody = ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0;
        List<byte[]>? matchKeys = null;
        if (hasBody)
        {
            if (Keys() is not { } keys)
            {
                return NoKeyFile();
            }

            var (upload, refusal) = await ReadListAsync(ctx, keys.Hasher, _options.MonitorLimit);
            if (refusal is not null)
            {
                return refusal;
            }

            matchKeys = new List<byte[]>(upload!.Count);
            for (var i = 0; i < upload.Count; i++)
            {
                matchKeys.Add(upload.MatchKey(i));
            }
        }

        await SocketThreads.LeaveAsync();
        var store = _store.Value;
        var removed = store.RemoveMonitored(keyId, matchKeys);
        return Results.Json(new MonitorRemoveResult(removed, store.CountMonitored(keyId)), MonitorJson.Default.MonitorRemoveResult);
    }

    private async Task<IResult> AddWebhookAsync(HttpContext ctx)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        if (Keys() is not { } keys)
        {
            return NoKeyFile();
        }

        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = WebhookBodyLimit;
        }

        WebhookRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(ctx.Request.Body, MonitorJson.Default.WebhookRequest, ctx.RequestAborted);
        }
        catch (JsonException)
        {
            return Error(StatusCodes.Status400BadRequest, "body: not a JSON object {\"url\": ..., \"secret\"?: ..., \"events\"?: [...]}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"body: larger than {WebhookBodyLimit} bytes");
        }

        if (request is null)
        {
            return Error(StatusCodes.Status400BadRequest, "body: not a JSON object {\"url\": ..., \"secret\"?: ..., \"events\"?: [...]}");
        }

        if (await WebhookAddresses.CheckAsync(request.Url, _options.AllowPrivateWebhooks, ctx.RequestAborted) is { } refused)
        {
            return Error(StatusCodes.Status400BadRequest, refused);
        }

        var secret = request.Secret ?? WebhookSecrets.New();
        if (!WebhookSecrets.TryDecode(secret, out _, out var secretError))
        {
            return Error(StatusCodes.Status400BadRequest, secretError!);
        }

        var events = WebhookEvents.None;
        foreach (var name in request.Events ?? [NotifyEvents.BreachExposed, NotifyEvents.BreachPublished, NotifyEvents.DomainBreach])
        {
            events |= name switch
            {
                NotifyEvents.BreachExposed => WebhookEvents.BreachExposed,
                NotifyEvents.BreachPublished => WebhookEvents.BreachPublished,
                NotifyEvents.DomainBreach => WebhookEvents.DomainBreach, // domain alerts
                _ => WebhookEvents.None,
            };
            if (name is not (NotifyEvents.BreachExposed or NotifyEvents.BreachPublished or NotifyEvents.DomainBreach))
            {
                return Error(StatusCodes.Status400BadRequest,
                    $"events: unknown event (known: {NotifyEvents.BreachExposed}, {NotifyEvents.BreachPublished}, {NotifyEvents.DomainBreach})");
            }
        }

        if (events == WebhookEvents.None)
        {
            return Error(StatusCodes.Status400BadRequest, $"events: at least one of {NotifyEvents.BreachExposed}, {NotifyEvents.BreachPublished}, {NotifyEvents.DomainBreach}");
        }

        var url = new Uri(request.Url!).AbsoluteUri;
        var now = StateStore.Microseconds(_options.TimeProvider.GetUtcNow());
        var sealedSecret = keys.Sealing.WebhookSecret.Seal(Encoding.UTF8.GetBytes(secret), NotifySealing.WebhookSecretContext);
        await SocketThreads.LeaveAsync();
        if (_store.Value.AddWebhook(keyId, url, sealedSecret, events, now, _options.WebhookLimit) is not { } id)
        {
            return Error(StatusCodes.Status400BadRequest, $"webhooks: at most {_options.WebhookLimit} per API key; delete one first");
        }

        return Results.Json(new WebhookCreated(id, url, EventNames(events), secret, now), MonitorJson.Default.WebhookCreated,
            statusCode: StatusCodes.Status201Created);
    }

    private IResult ListWebhooks(HttpContext ctx)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        var views = new List<WebhookView>();
        foreach (var w in _store.Value.ListWebhooks(keyId))
        {
            views.Add(new WebhookView(w.Id, w.Url, EventNames(w.Events), w.Created, w.Disabled, w.DisabledReason));
        }

        return Results.Json(views, MonitorJson.Default.ListWebhookView);
    }

    private IResult DeleteWebhook(HttpContext ctx, long id)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        return _store.Value.DeleteWebhook(keyId, id) ? Results.NoContent() : Results.NotFound();
    }

    private async Task<IResult> TestWebhookAsync(HttpContext ctx, long id)
    {
        if (KeyId(ctx) is not { } keyId)
        {
            return TestKey();
        }

        if (Keys() is not { } keys)
        {
            return NoKeyFile();
        }

        var webhook = _store.Value.WebhookById(id);
        if (webhook is null || webhook.KeyId != keyId)
        {
            return Results.NotFound();
        }

        WebhookDeliveryChannel pinger;
        lock (_keysLock)
        {
            pinger = _pinger ??= new WebhookDeliveryChannel(_store.Value, keys.Sealing,
                new WebhookDeliveryOptions { AllowPrivate = _options.AllowPrivateWebhooks, Time = _options.TimeProvider });
        }

        var outcome = await pinger.PingAsync(webhook, ctx.RequestAborted);
        return Results.Json(new WebhookTestResult(outcome.Result == DeliveryResult.Delivered, outcome.Result.ToString().ToLowerInvariant(), outcome.Error),
            MonitorJson.Default.WebhookTestResult);
    }

    private static List<string> EventNames(WebhookEvents events)
    {
        var names = new List<string>(2);
        if (events.HasFlag(WebhookEvents.BreachExposed))
        {
            names.Add(NotifyEvents.BreachExposed);
        }

        if (events.HasFlag(WebhookEvents.BreachPublished))
        {
            names.Add(NotifyEvents.BreachPublished);
        }

        if (events.HasFlag(WebhookEvents.DomainBreach))
        {
            names.Add(NotifyEvents.DomainBreach); // domain alerts
        }

        return names;
    }

    public void Dispose()
    {
        _pinger?.Dispose();
        if (_store.IsValueCreated)
        {
            _store.Value.Dispose();
        }
    }
}

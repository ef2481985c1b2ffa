using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Notify;
using Leakwatch.Privacy;
using Leakwatch.Server.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server;

/// <summary>
/// The individual's side of notifications (docs/notifications.md): subscribe an address (double opt-in), confirm it,
/// unsubscribe (RFC 8058 one-click) or erase it, and hide an address from public search (opt-out, confirmed from a
/// mailed link). Every request about an address answers the same whatever the store holds, so none can tell who is
/// subscribed or opted out; what differs is only which mail (if any) the outbox gets. The address is kept sealed for
/// delivery, and matched by its index key; tokens are kept as SHA-256 hashes. Per-IP rate limited
/// (<see cref="ServerOptions.NotifyRpm"/>), counted in this process.
/// </summary>
internal sealed class NotifyEndpoints
{
    public const string Policy = "notify";

    /// <summary>A request is one address; 320 characters, JSON-escaped, fit well within this.</summary>
    private const int MaxBodyBytes = 4096;

    /// <summary>How long a mailed verification or opt-out link works.</summary>
    public static readonly TimeSpan LinkValidity = TimeSpan.FromHours(24);

    /// <summary>Asking again about one address within this sends nothing new.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromHours(1);

    private static readonly byte[] Accepted = Encoding.UTF8.GetBytes(
        "{\"status\":\"accepted\",\"message\":\"If this address can receive mail, a message with a link is on its way. Nothing changes until the link is used.\"}");

    private readonly ServerOptions _options;
    private readonly OptOutFilter _optOuts;
    private readonly StateLocation _state;
    private readonly string _keyFilePath;
    private readonly DeliveryService _delivery;

    public NotifyEndpoints(ServerOptions options, OptOutFilter optOuts, DeliveryService delivery)
    {
        _options = options;
        _optOuts = optOuts;
        _delivery = delivery;
        _state = options.State ?? StateLocation.Embedded;
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
    }

    public void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Notifications");
        api.MapPost("/subscriptions", (Func<HttpContext, Task>)Subscribe)
            .RequireRateLimiting(Policy)
            .WithName("Subscribe")
            .WithSummary("Subscribe an email address to be told when it turns up in a new breach (double opt-in)")
            .WithDescription("Body {\"email\": \"...\"}. Always 202 with the same body, whether the address is new, waiting for its link or already subscribed, so the answer tells nobody who is subscribed. A new or unverified address gets a mail with a link (GET /subscriptions/verify?token=..., valid 24 h); a subscribed one a reminder with its unsubscribe link; within an hour of the last mail, nothing. 400 names the field (email) for an invalid or missing address, or body for malformed JSON; 429 past the per-IP limit.")
            .Accepts<EmailRequest>("application/json")
            .Produces(StatusCodes.Status202Accepted, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status429TooManyRequests).Produces(StatusCodes.Status503ServiceUnavailable);
        api.MapDelete("/subscriptions", (Func<HttpContext, Task>)Erase)
            .RequireRateLimiting(Policy)
            .WithName("EraseSubscription")
            .WithSummary("Erase a subscription and every record of it, with its unsubscribe token (from any mail)")
            .WithDescription("Query token: the unsubscribe token of the mails' links. 204 when the subscription and its pending mails were erased; 404 when no subscription holds the token.")
            .Produces(StatusCodes.Status204NoContent).Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status429TooManyRequests);
        api.MapPost("/optout", (Func<HttpContext, Task>)OptOut)
            .RequireRateLimiting(Policy)
            .WithName("OptOut")
            .WithSummary("Ask to hide an email address from public search (confirmed by a mailed link)")
            .WithDescription("Body {\"email\": \"...\"}. Always 202 with the same body. The address gets a mail with a link (GET /optout/verify?token=..., valid 24 h) to a page whose button hides it: account search then answers 404 for it, and the private tier drops its entries at once. 400 names the field; 429 past the per-IP limit.")
            .Accepts<EmailRequest>("application/json")
            .Produces(StatusCodes.Status202Accepted, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status429TooManyRequests).Produces(StatusCodes.Status503ServiceUnavailable);

        var pages = app.MapGroup("").WithTags("Notifications");
        pages.MapGet("/subscriptions/verify", (Func<HttpContext, Task>)VerifyPage)
            .RequireRateLimiting(Policy)
            .WithName("VerifySubscription")
            .WithSummary("The mailed double opt-in link: confirms the subscription (HTML); works once, for 24 h")
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound);
        pages.MapGet("/subscriptions/unsubscribe", (Func<HttpContext, Task>)UnsubscribePage)
            .RequireRateLimiting(Policy)
            .WithName("UnsubscribePage")
            .WithSummary("The mailed unsubscribe link: a page with a button (a GET changes nothing, since mail scanners fetch links)")
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status400BadRequest);
        pages.MapPost("/subscriptions/unsubscribe", (Func<HttpContext, Task>)Unsubscribe)
            .RequireRateLimiting(Policy)
            .WithName("Unsubscribe")
            .WithSummary("RFC 8058 one-click unsubscribe (body List-Unsubscribe=One-Click; no login): erases the subscription")
            .WithDescription("The target of the mails' List-Unsubscribe and List-Unsubscribe-Post headers, and of the unsubscribe page's button. 200 (HTML) whether or not a subscription held the token.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status400BadRequest);
        pages.MapGet("/optout/verify", (Func<HttpContext, Task>)OptOutPage)
            .RequireRateLimiting(Policy)
            .WithName("OptOutPage")
            .WithSummary("The mailed opt-out link: a page with a button that hides the address (a GET changes nothing)")
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound);
        pages.MapPost("/optout/verify", (Func<HttpContext, Task>)ConfirmOptOut)
            .RequireRateLimiting(Policy)
            .WithName("ConfirmOptOut")
            .WithSummary("Hides the address of the opt-out link from public search, at once (HTML); works once, for 24 h")
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound);
    }

    /// <summary>Per client IP (or /64), at <see cref="ServerOptions.NotifyRpm"/>.</summary>
    public RateLimitPartition<RateKey> Partition(HttpContext ctx) =>
        HibpApi.TokenBucket(new RateKey(ClientId.ForAddress(ctx.Connection.RemoteIpAddress), Math.Max(1, _options.NotifyRpm)));

    private async Task Subscribe(HttpContext ctx)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        if (await ReadRequestAsync(ctx) is not { } request)
        {
            return;
        }

        var (address, keys) = request;
        var sealing = new NotifySealing(keys);
        var matchKey = MatchKey(keys, address.Canonical);
        var verifyToken = NotifyTokens.NewToken();
        var unsubscribeToken = sealing.Tokens.UnsubscribeToken(matchKey);
        var now = _options.TimeProvider.GetUtcNow();
        using (var store = StateStore.Open(_state, _options.DataDir))
        {
            var outcome = store.Subscribe(matchKey, sealing.Address.Seal(Encoding.UTF8.GetBytes(address.AsTyped), NotifySealing.AddressContext),
                NotifyTokens.Hash(verifyToken), NotifyTokens.Hash(unsubscribeToken), now, LinkValidity, Quiet);
            var (evt, token, prefix) = outcome switch
            {
                SubscribeOutcome.SendVerification => (NotifyEvents.SubscriptionVerify, verifyToken, "verify:"),
                SubscribeOutcome.SendReminder => (NotifyEvents.SubscriptionActive, unsubscribeToken, "active:"),
                _ => (null, null, null),
            };
            if (evt is not null)
            {
                Enqueue(store, sealing, store.SubscriptionIdOf(matchKey) ?? 0, evt, prefix!, address.AsTyped, token!, now);
                _delivery.Wake();
            }
        }

        await AnswerAcceptedAsync(ctx, start);
    }

    private async Task OptOut(HttpContext ctx)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        if (await ReadRequestAsync(ctx) is not { } request)
        {
            return;
        }

        var (address, keys) = request;
        var sealing = new NotifySealing(keys);
        var matchKey = MatchKey(keys, address.Canonical);
        var token = NotifyTokens.NewToken();
        var now = _options.TimeProvider.GetUtcNow();
        // The one moment the server holds the identifier: its private-tier form is computed now and kept only sealed.
        var sealedPrivate = OptOutPrivateForm.SealFor(keys, address.Canonical);
        using (var store = StateStore.Open(_state, _options.DataDir))
        {
            if (store.AddOptOutRequest(NotifyTokens.Hash(token), matchKey, sealedPrivate, now, now + LinkValidity, Quiet))
            {
                Enqueue(store, sealing, 0, NotifyEvents.OptOutVerify, "optout:", address.AsTyped, token, now);
                _delivery.Wake();
            }
        }

        await AnswerAcceptedAsync(ctx, start);
    }

    /// <summary>The request's address and the key file, or null once the request is answered: 400 naming the field at
    /// fault, or 503 when the server has no key file yet.</summary>
    private async Task<((string AsTyped, string Canonical) Address, KeyFile Keys)?> ReadRequestAsync(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        var (address, error) = await ReadEmailAsync(ctx);
        if (error is not null)
        {
            await Problem(ctx, error.Value.Field, error.Value.Message);
            return null;
        }

        await SocketThreads.LeaveAsync();
        if (LoadKeys() is not { } keys)
        {
            await Unavailable(ctx);
            return null;
        }

        return (address!.Value, keys);
    }

    /// <summary>202 with the one body, no sooner than <see cref="ServerOptions.NotifyAnswerFloor"/> after the request
    /// arrived, so that neither the body nor the time taken tells what the store held.</summary>
    private async Task AnswerAcceptedAsync(HttpContext ctx, long start)
    {
        var left = _options.NotifyAnswerFloor - System.Diagnostics.Stopwatch.GetElapsedTime(start);
        if (left > TimeSpan.Zero)
        {
            // Whole milliseconds, rounded up: a timer rounds a fraction down and would answer up to 1 ms early.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds) + 1), ctx.RequestAborted);
        }

        await Write(ctx, StatusCodes.Status202Accepted, "application/json; charset=utf-8", Accepted);
    }

    /// <summary>One mail in the outbox: a fresh message id, and the address and link token sealed under it.</summary>
    private static void Enqueue(StateStore store, NotifySealing sealing, long target, string evt, string dedupePrefix, string address, string token,
        DateTimeOffset now)
    {
        // The composer makes it the Message-ID's left-hand side (<id@public host>).
        var messageId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        store.EnqueueOne(new OutboxItem
        {
            Dedupe = dedupePrefix + messageId,
            Channel = OutboxChannel.Mail,
            TargetId = target,
            BreachId = 0,
            Event = evt,
            MessageId = messageId,
            SealedPayload = new MailPayload(address, token).Seal(sealing, messageId),
        }, now);
    }

    private async Task Erase(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        if (LinkPages.Token(ctx) is not { } token)
        {
            await Problem(ctx, "token", "required: the unsubscribe token of the mails' links");
            return;
        }

        await SocketThreads.LeaveAsync();
        bool erased;
        using (var store = StateStore.Open(_state, _options.DataDir))
        {
            erased = store.Unsubscribe(NotifyTokens.Hash(token));
        }

        ctx.Response.StatusCode = erased ? StatusCodes.Status204NoContent : StatusCodes.Status404NotFound;
    }

    private async Task VerifyPage(HttpContext ctx)
    {
        if (LinkPages.Token(ctx) is not { } token)
        {
            await BadLink(ctx);
            return;
        }

        await SocketThreads.LeaveAsync();
        Subscription? verified;
        using (var store = StateStore.Open(_state, _options.DataDir))
        {
            verified = store.VerifySubscription(NotifyTokens.Hash(token), _options.TimeProvider.GetUtcNow());
        }

        if (verified is null)
        {
            await LinkPages.Write(ctx, StatusCodes.Status404NotFound, NoticePage.Render("Link expired or already used",
                "This confirmation link has expired (links work for 24 hours) or was already used. Subscribe again from the home page to get a new one.",
                link: "/", linkText: "Back to the checks"));
            return;
        }

        var unsubscribe = LoadKeys() is { } keys ? new NotifyTokens(keys).UnsubscribeToken(verified.MatchKey) : null;
        await LinkPages.Write(ctx, StatusCodes.Status200OK, NoticePage.Render("Subscription confirmed",
            "You will get an email when this address turns up in a breach this server publishes. Every email has a link to unsubscribe.",
            link: unsubscribe is null ? null : "/subscriptions/unsubscribe?token=" + Uri.EscapeDataString(unsubscribe), linkText: "Unsubscribe"));
    }

    private async Task UnsubscribePage(HttpContext ctx)
    {
        if (LinkPages.Token(ctx) is not { } token)
        {
            await BadLink(ctx);
            return;
        }

        await LinkPages.Write(ctx, StatusCodes.Status200OK, NoticePage.Render("Unsubscribe",
            "Press the button to stop the emails about this address and erase its subscription.",
            formAction: "/subscriptions/unsubscribe?token=" + Uri.EscapeDataString(token), buttonText: "Unsubscribe", oneClick: true));
    }

    private async Task Unsubscribe(HttpContext ctx)
    {
        if (LinkPages.Token(ctx) is not { } token)
        {
            await BadLink(ctx);
            return;
        }

        await SocketThreads.LeaveAsync();
        using (var store = StateStore.Open(_state, _options.DataDir))
        {
            store.Unsubscribe(NotifyTokens.Hash(token));
        }

        // The same page whether or not a subscription held the token: a second press, or a mail client's one-click
        // POST after the person's, is not an error.
        await LinkPages.Write(ctx, StatusCodes.Status200OK, NoticePage.Render("Unsubscribed",
            "This address gets no more emails from this server, and its subscription is erased.", link: "/", linkText: "Back to the checks"));
    }

    private async Task OptOutPage(HttpContext ctx)
    {
        if (LinkPages.Token(ctx) is not { } token)
        {
            await BadLink(ctx);
            return;
        }

        await SocketThreads.LeaveAsync();
        bool pending;
        using (var store = StateStore.Open(_state, _options.DataDir))
        {
            pending = store.OptOutRequestPending(NotifyTokens.Hash(token), _options.TimeProvider.GetUtcNow());
        }

        if (!pending)
        {
            await ExpiredOptOut(ctx);
            return;
        }

        await LinkPages.Write(ctx, StatusCodes.Status200OK, NoticePage.Render("Hide this address from public search",
            "Press the button to hide this address: searches on this server will no longer show the breaches it is in, starting at once. Private lookups will not find it either.",
            formAction: "/optout/verify?token=" + Uri.EscapeDataString(token), buttonText: "Hide my address"));
    }

    private async Task ConfirmOptOut(HttpContext ctx)
    {
        if (LinkPages.Token(ctx) is not { } token)
        {
            await BadLink(ctx);
            return;
        }

        await SocketThreads.LeaveAsync();
        OptOutRecord? record;
        using (var store = StateStore.Open(_state, _options.DataDir))
        {
            record = store.ConfirmOptOut(NotifyTokens.Hash(token), _options.TimeProvider.GetUtcNow());
        }

        if (record is null)
        {
            await ExpiredOptOut(ctx);
            return;
        }

        // Served by this replica before the answer; the others within their next poll (OptOutFilter).
        _optOuts.Add(record);
        await LinkPages.Write(ctx, StatusCodes.Status200OK, NoticePage.Render("Address hidden",
            "This address is now hidden from public search on this server: account searches answer that it is in no breach, and private lookups do not find it.",
            link: "/", linkText: "Back to the checks"));
    }

    private static Task ExpiredOptOut(HttpContext ctx) => LinkPages.Write(ctx, StatusCodes.Status404NotFound, NoticePage.Render("Link expired or already used",
        "This link has expired (links work for 24 hours) or was already used. Ask again from the home page to get a new one.",
        link: "/", linkText: "Back to the checks"));

    private static Task BadLink(HttpContext ctx) => LinkPages.Write(ctx, StatusCodes.Status400BadRequest, NoticePage.Render("Link incomplete",
        "This link is missing its token. Open the link from the email again, or copy all of it into the address bar.",
        link: "/", linkText: "Back to the checks"));

    private static byte[] MatchKey(KeyFile keys, string canonical)
    {
        var key = new byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(new IdentifierHasher(keys).HashEmail(canonical), key);
        return key;
    }

    private KeyFile? LoadKeys() => File.Exists(_keyFilePath) ? KeyFile.Load(_keyFilePath) : null;

    /// <summary>Reads <c>{"email": "..."}</c>: the address as typed (trimmed) and its canonical form, or the field at fault.</summary>
    private static async Task<((string AsTyped, string Canonical)? Address, (string Field, string Message)? Error)> ReadEmailAsync(HttpContext ctx)
    {
        if (ctx.Request.ContentLength > MaxBodyBytes)
        {
            return (null, ("body", $"larger than {MaxBodyBytes} bytes"));
        }

        var body = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var length = 0;
            while (length <= MaxBodyBytes)
            {
                var n = await ctx.Request.Body.ReadAsync(body.AsMemory(length, MaxBodyBytes + 1 - length), ctx.RequestAborted);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }

            if (length > MaxBodyBytes)
            {
                return (null, ("body", $"larger than {MaxBodyBytes} bytes"));
            }

            return ParseEmail(body.AsSpan(0, length));
        }
        finally
        {
            // The body held an address: not left in the pool for the next renter to read.
            Array.Clear(body);
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    internal static ((string AsTyped, string Canonical)? Address, (string Field, string Message)? Error) ParseEmail(ReadOnlySpan<byte> json)
    {
        string? email = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, ("body", "expected a JSON object such as {\"email\": \"you@example.com\"}"));
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isEmail = reader.ValueTextEquals("email"u8);
                reader.Read();
                if (!isEmail)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    return (null, ("email", "must be a string"));
                }

                email = reader.GetString();
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return (null, ("body", "malformed JSON"));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, ("body", "malformed JSON"));
        }

        if (string.IsNullOrWhiteSpace(email))
        {
            return (null, ("email", "required"));
        }

        var typed = email.Trim();
        Span<char> buffer = stackalloc char[EmailNormalizer.MaxLength];
        if (!typed.Contains('@', StringComparison.Ordinal) || !EmailNormalizer.TryNormalize(typed, buffer, out var n))
        {
            return (null, ("email", "not a valid email address"));
        }

        return ((typed, new string(buffer[..n])), null);
    }

    /// <summary>An RFC 9457 problem naming the field: <c>{"title", "status": 400, "detail": "field: message", "errors": {field: [message]}}</c>.</summary>
    private static Task Problem(HttpContext ctx, string field, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "https://tools.ietf.org/html/rfc9110#section-15.5.1");
            w.WriteString("title", "One or more validation errors occurred.");
            w.WriteNumber("status", 400);
            w.WriteString("detail", field + ": " + message);
            w.WriteStartObject("errors");
            w.WriteStartArray(field);
            w.WriteStringValue(message);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Write(ctx, StatusCodes.Status400BadRequest, "application/problem+json", buffer.WrittenSpan.ToArray());
    }

    private static readonly byte[] NoKeyFile = Encoding.UTF8.GetBytes(
        "{\"statusCode\":503,\"message\":\"Notifications are not available until the operator has ingested a first breach (no key file yet).\"}");

    private static Task Unavailable(HttpContext ctx) => Write(ctx, StatusCodes.Status503ServiceUnavailable, "application/json; charset=utf-8", NoKeyFile);

    private static Task Write(HttpContext ctx, int status, string contentType, byte[] body)
    {
        var response = ctx.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Leakwatch.Catalog;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Leakwatch.Server;

/// <summary>
/// <c>POST /api/v3/bulk</c> (beyond HIBP): many accounts in one request, answered as NDJSON in the order sent. It is
/// account search many times over, not a way around it: every account takes one token of the key's rate (all of
/// them before anything is looked up), and the enumeration detector records every account as a
/// <c>breachedaccount</c> call, so a bulk of sequential numbers trips it as the single calls would.
/// </summary>
internal sealed partial class HibpApi
{
    /// <summary>The most accounts one request may carry.</summary>
    public const int MaxBulkAccounts = 10_000;

    /// <summary>10,000 accounts of the longest email (320 characters, UTF-8) and a line end or JSON quoting each.</summary>
    private const int MaxBulkBodyBytes = MaxBulkAccounts * 1_300;

    /// <summary>Accounts as typed ("+44 …", not "\u002B44 …"), as <c>check --json</c>: NDJSON for tools, never HTML.</summary>
    internal static readonly JsonWriterOptions BulkJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string NdjsonContentType = "application/x-ndjson; charset=utf-8";
    private static readonly byte[] BulkInvalid = ",\"error\":\"not a valid email address or phone number\"}\n"u8.ToArray();

    /// <summary>The answer to one account: the index's breach set, -1 for none (or opted out), -2 for an invalid account.</summary>
    private const int BulkInvalidAccount = -2;

    private void MapBulk(RouteGroupBuilder v3) =>
        v3.MapPost("/bulk", (Func<HttpContext, Task>)Bulk)
            .WithMetadata(HibpAccess.KeyPerCall, SharedCountersRequired.Instance)
            .WithName("Bulk")
            .WithSummary("Breaches of many accounts at once (beyond HIBP), one NDJSON line per account in the order sent")
            .WithDescription("Body: application/json (an array of strings) or text/plain (one account per line; blank lines skipped). " +
                "At most 10000 accounts. Each line: {\"account\":\"…\",\"breaches\":[\"Name\",…]} (names only, as truncateResponse=true; " +
                "an account in no breach has []), or {\"account\":\"…\",\"error\":\"not a valid email address or phone number\"}. " +
                "Every account takes one request of the key's rate limit, all before any is looked up: 429 with Retry-After when " +
                "the key has fewer left (nothing is looked up), 400 when the request carries more accounts than the key's rpm. " +
                "Every account is seen by the enumeration detector as a breachedaccount call.")
            .Accepts<List<string>>("application/json", "text/plain")
            .Produces<string>(StatusCodes.Status200OK, "application/x-ndjson")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status415UnsupportedMediaType).Produces(StatusCodes.Status429TooManyRequests)
            .Produces(StatusCodes.Status503ServiceUnavailable);

    private async Task Bulk(HttpContext ctx)
    {
        // As account search: about people, so no cache may keep it.
        ctx.Response.Headers.CacheControl = "no-store";
        var client = ctx.Features.Get<ApiClient>()!;
        if (client.Key is not { } key)
        {
            // HIBP's test key answers only its test accounts, one at a time.
            await WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, InvalidKey);
            return;
        }

        bool? json = BulkMediaType(ctx.Request.ContentType);
        if (json is null)
        {
            await WriteBytes(ctx, StatusCodes.Status415UnsupportedMediaType, TextContentType,
                "Unsupported media type: send application/json (an array of strings) or text/plain (one account per line)."u8.ToArray());
            return;
        }

        var body = await ReadBulkBody(ctx);
        try
        {
            await SocketThreads.LeaveAsync();
            if (body.Length < 0)
            {
                await BulkBadRequest(ctx, $"body: larger than {MaxBulkBodyBytes.ToString(CultureInfo.InvariantCulture)} bytes");
                return;
            }

            var accounts = new List<string>();
            var error = json.Value ? ParseBulkJson(body.Span, accounts) : ParseBulkText(body.Span, accounts);
            error ??= accounts.Count == 0 ? "accounts: none given" : null;
            error ??= accounts.Count > key.Rpm
                ? $"accounts: {accounts.Count.ToString(CultureInfo.InvariantCulture)} is more than this key's rate limit of {key.Rpm.ToString(CultureInfo.InvariantCulture)} a minute; send at most that many per request"
                : null;
            if (error is not null)
            {
                await BulkBadRequest(ctx, error);
                return;
            }

            await AnswerBulk(ctx, key, accounts);
        }
        finally
        {
            if (body.Array is not null)
            {
                ArrayPool<byte>.Shared.Return(body.Array);
            }
        }
    }

    /// <summary>Takes the accounts' tokens, looks them up past the detector, and writes the NDJSON.</summary>
    private async Task AnswerBulk(HttpContext ctx, ApiKey key, List<string> accounts)
    {
        var wait = await TakeBulkTokens(ctx, key, accounts.Count);
        if (wait != 0)
        {
            _metrics.RateLimitRejections.WithLabels("key").Inc();
            await (wait < 0 ? ServiceUnavailable(ctx) : TooManyRequests(ctx, wait));
            return;
        }

        var clientId = ClientId.ForKey(key.Id);
        var network = ClientNetwork.Of(ctx.Connection.RemoteIpAddress);
        if (_sharedDetector is null && _detector.IsBlocked(clientId, network, out var blocked))
        {
            _metrics.EnumerationRejections.Inc();
            await TooManyRequests(ctx, blocked);
            return;
        }

        var sets = new int[accounts.Count];
        var state = _exposure.Acquire();
        try
        {
            var verdict = await LookUpBulk(state, clientId, network, key.Rpm, accounts, sets);
            if (verdict != 0)
            {
                if (verdict < 0)
                {
                    await ServiceUnavailable(ctx);
                    return;
                }

                _metrics.EnumerationRejections.Inc();
                await TooManyRequests(ctx, verdict);
                return;
            }

            await WriteBulk(ctx, state, accounts, sets);
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>Every account's breach set (or <see cref="BulkInvalidAccount"/>), each one recorded by the detector as a
    /// <c>breachedaccount</c> call. 0 when the answer may be sent; else the seconds to wait (a block), -1 when the
    /// shared detector cannot be asked.</summary>
    private async ValueTask<int> LookUpBulk(ServingState state, ClientId clientId, ClientNetwork network, int rpm, List<string> accounts, int[] sets)
    {
        if (_sharedDetector is { } shared && await shared.CheckAsync(clientId, network, rpm, null) is var first && first != 0)
        {
            return first ?? -1;
        }

        for (var i = 0; i < accounts.Count; i++)
        {
            var account = accounts[i];
            var kind = state.TryKey(account, _exposure.Phones, out var indexKey);
            if (kind == AccountKind.Invalid)
            {
                sets[i] = BulkInvalidAccount;
                continue;
            }

            // An opted-out identifier is answered as one in no breach, as breachedaccount answers 404 for it.
            var set = _optOuts.Contains(indexKey) ? -1 : state.FindSet(indexKey);
            sets[i] = set;
            ulong e164 = 0;
            if (kind == AccountKind.Phone && !_exposure.Phones.Value.TryNormalize(account.AsSpan().Trim(), out e164))
            {
                e164 = 0;
            }

            var lookup = new DetectedLookup(indexKey, kind, e164, set >= 0);
            if (_sharedDetector is { } detector)
            {
                var check = detector.CheckAsync(clientId, network, rpm, lookup);
                var verdict = check.IsCompletedSuccessfully ? check.Result : await check;
                if (verdict != 0)
                {
                    return verdict ?? -1;
                }
            }
            else if (_detector.Record(clientId, network, rpm, lookup))
            {
                _detector.IsBlocked(clientId, network, out var retryAfter);
                return Math.Max(1, retryAfter);
            }
        }

        return 0;
    }

    /// <summary>
    /// One token of the key's rate per account, all or none: in-process from the key's own bucket (the one its single
    /// requests take from), with <c>--redis</c> from the key's bucket there. 0 when taken; else the seconds until the
    /// bucket holds that many, or -1 when Redis cannot be asked.
    /// </summary>
    private async ValueTask<int> TakeBulkTokens(HttpContext ctx, ApiKey key, int count)
    {
        var rateKey = new RateKey(ClientId.ForKey(key.Id), key.Rpm);
        if (_redis is { } redis)
        {
            var verdict = await redis.TakeAsync([SharedBucket.For("g", rateKey) with { Lease = count, Exact = true }]);
            return verdict.Outcome switch
            {
                SharedOutcome.Allowed => 0,
                SharedOutcome.Refused => Math.Max(1, verdict.RetryAfterSeconds),
                _ => -1,
            };
        }

        return _keyLimits.Take(rateKey, count);
    }

    private static async Task WriteBulk(HttpContext ctx, ServingState state, List<string> accounts, int[] sets)
    {
        var output = new PooledByteBuffer(accounts.Count * 96);
        try
        {
            using (var json = new Utf8JsonWriter(output, BulkJson))
            {
                for (var i = 0; i < accounts.Count; i++)
                {
                    output.Write("{\"account\":"u8);
                    json.Reset();
                    json.WriteStringValue(accounts[i]);
                    json.Flush();
                    if (sets[i] == BulkInvalidAccount)
                    {
                        output.Write(BulkInvalid);
                        continue;
                    }

                    output.Write(",\"breaches\":"u8);
                    output.Write(state.BulkNames(sets[i]));
                    output.Write("}\n"u8);
                }
            }

            var response = ctx.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = NdjsonContentType;
            response.ContentLength = output.Length;
            await response.Body.WriteAsync(output.Array.AsMemory(0, output.Length), ctx.RequestAborted);
        }
        finally
        {
            output.Return();
        }
    }

    /// <summary>true for application/json, false for text/plain, null for anything else (or none).</summary>
    private static bool? BulkMediaType(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return null;
        }

        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ? true
            : media.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase) ? false
            : null;
    }

    /// <summary>The body in a pooled array; Length -1 when it is larger than <see cref="MaxBulkBodyBytes"/>.</summary>
    private static async Task<BulkBody> ReadBulkBody(HttpContext ctx)
    {
        var request = ctx.Request;
        if (request.ContentLength > MaxBulkBodyBytes)
        {
            return new BulkBody(null, -1, default);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } declared ? (int)declared + 1 : 64 * 1024);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > MaxBulkBodyBytes)
                {
                    return new BulkBody(buffer, -1, default);
                }

                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxBulkBodyBytes + 1, buffer.Length * 2));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            var n = await request.Body.ReadAsync(buffer.AsMemory(length), ctx.RequestAborted);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        return length > MaxBulkBodyBytes ? new BulkBody(buffer, -1, default) : new BulkBody(buffer, length, buffer.AsMemory(0, length));
    }

    /// <summary>A JSON array of strings; an error naming the element, or null.</summary>
    internal static string? ParseBulkJson(ReadOnlySpan<byte> body, List<string> accounts)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return "body: expected a JSON array of strings";
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return $"accounts[{accounts.Count.ToString(CultureInfo.InvariantCulture)}]: must be a string";
                }

                if (accounts.Count == MaxBulkAccounts)
                {
                    return TooManyAccounts;
                }

                accounts.Add(reader.GetString()!);
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                return "body: malformed JSON";
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string with an escaped lone surrogate.
            return "body: malformed JSON";
        }

        return null;
    }

    /// <summary>One account per line (<see cref="AccountLines"/>); an error, or null.</summary>
    internal static string? ParseBulkText(ReadOnlySpan<byte> body, List<string> accounts)
    {
        var lines = new AccountLineReader(body, 1, atStart: true);
        while (lines.TryRead(out var line))
        {
            if (accounts.Count == MaxBulkAccounts)
            {
                return TooManyAccounts;
            }

            accounts.Add(Encoding.UTF8.GetString(line));
        }

        return null;
    }

    private static readonly string TooManyAccounts =
        $"accounts: at most {MaxBulkAccounts.ToString(CultureInfo.InvariantCulture)} per request";

    private static Task BulkBadRequest(HttpContext ctx, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("statusCode", 400);
            w.WriteString("message", message);
            w.WriteEndObject();
        }

        return WriteBytes(ctx, StatusCodes.Status400BadRequest, JsonContentType, buffer.WrittenSpan.ToArray());
    }
}

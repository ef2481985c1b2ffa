using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Leakwatch.Catalog;
using Leakwatch.Catalog.Lookup;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Leakwatch.Server;

/// <summary>
/// HIBP API v3 over the served generation: paths, query names (matched case-insensitively), JSON field names and
/// status codes as haveibeenpwned.com. The account search writes pre-rendered breach JSON straight to the response.
/// </summary>
internal sealed partial class HibpApi
{
    public const string ApiKeyHeader = "hibp-api-key";
    private const string JsonContentType = "application/json; charset=utf-8";
    private const string TextContentType = "text/plain; charset=utf-8";
    private static readonly byte[] MissingKey = "Access denied due to missing hibp-api-key."u8.ToArray();
    private static readonly byte[] InvalidKey = "Access denied due to invalid hibp-api-key."u8.ToArray();
    private static readonly byte[] MissingUserAgent = "Forbidden: requests must send a User-Agent header."u8.ToArray();
    private static readonly byte[] BadAccount = "Bad request: the account is not a valid email address or phone number."u8.ToArray();

    [ThreadStatic]
    private static List<PreparedBreach>? t_found;

    private readonly ServerOptions _options;
    private readonly ExposureService _exposure;
    private readonly ScrapingDetector _detector;
    private readonly ServerMetrics _metrics;
    private readonly FailedKeyLimiter _failedKeys;
    private readonly RedisCounters? _redis;
    private readonly SharedScrapingDetector? _sharedDetector;
    private readonly OptOutFilter _optOuts;
    private readonly KeyRateLimits _keyLimits;

    public HibpApi(ServerOptions options, ExposureService exposure, ScrapingDetector detector, ServerMetrics metrics, SharedCounters shared,
        OptOutFilter optOuts, KeyRateLimits keyLimits)
    {
        _optOuts = optOuts;
        _keyLimits = keyLimits;
        _options = options;
        _exposure = exposure;
        _detector = detector;
        _metrics = metrics;
        _failedKeys = new FailedKeyLimiter(options.FailedKeyRpm, options.TimeProvider);
        _redis = shared.Redis;
        _sharedDetector = shared.Detector;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        var v3 = app.MapGroup("/api/v3").WithTags("HIBP API v3");

        v3.MapGet("/breachedaccount/{account}", (HttpContext ctx, string account,
                [FromQuery] string? truncateResponse, [FromQuery] string? domain, [FromQuery] string? includeUnverified) =>
                BreachedAccount(ctx, account, truncateResponse, domain, includeUnverified))
            .WithMetadata(HibpAccess.Key, SharedCountersRequired.Instance)
            .WithName("BreachedAccount")
            .WithSummary("Breaches an account (email, or phone number in any common format) appears in")
            .WithDescription("truncateResponse (default true) returns names only; domain filters by breach domain; includeUnverified (default true). Query names match case-insensitively. 404 when the account is in no breach.")
            .Produces<List<HibpBreach>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status401Unauthorized).Produces(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status429TooManyRequests).Produces(StatusCodes.Status503ServiceUnavailable);

        v3.MapGet("/breaches", (HttpContext ctx, [FromQuery] string? domain, [FromQuery] string? isSpamList) => Breaches(ctx, domain, isSpamList))
            .WithMetadata(HibpAccess.Anonymous)
            .RunsOnSocketThread()
            .WithName("Breaches")
            .WithSummary("All breaches in the catalogue, optionally filtered by domain or spam-list flag")
            .Produces<List<HibpBreach>>(StatusCodes.Status200OK, "application/json");

        v3.MapGet("/breach/{name}", (HttpContext ctx, string name) =>
            {
                var b = _exposure.Current.ByName(name);
                return b is null ? NotFound(ctx) : WriteJson(ctx, b.Full);
            })
            .WithMetadata(HibpAccess.Anonymous)
            .RunsOnSocketThread()
            .WithName("Breach")
            .WithSummary("One breach by name")
            .Produces<HibpBreach>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status404NotFound);

        v3.MapGet("/latestbreach", (Func<HttpContext, Task>)(ctx =>
            {
                var b = _exposure.Current.Latest;
                return b is null ? NotFound(ctx) : WriteJson(ctx, b.Full);
            }))
            .WithMetadata(HibpAccess.Anonymous)
            .RunsOnSocketThread()
            .WithName("LatestBreach")
            .WithSummary("The most recently added breach")
            .Produces<HibpBreach>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status404NotFound);

        v3.MapGet("/dataclasses", (Func<HttpContext, Task>)(ctx => WriteJson(ctx, _exposure.Current.DataClassesJson)))
            .WithMetadata(HibpAccess.Anonymous)
            .RunsOnSocketThread()
            .WithName("DataClasses")
            .WithSummary("Every data class in the catalogue, sorted")
            .Produces<List<string>>(StatusCodes.Status200OK, "application/json");

        v3.MapGet("/subscription/status", (Func<HttpContext, Task>)SubscriptionStatus)
            .WithMetadata(HibpAccess.Key)
            .RunsOnSocketThread()
            .WithName("SubscriptionStatus")
            .WithSummary("The calling key's plan: name, rate limit")
            .Produces<SubscriptionStatus>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status401Unauthorized);

        // Bulk checks (issue 16): POST /api/v3/bulk, beyond HIBP.
        MapBulk(v3);
        // Stealer logs (issue 16): by email; the by-domain endpoints need verified domains.
        MapStealerLogs(v3);
    }

    /// <summary>Runs after routing, before the rate limiter: 403 without a User-Agent, 401 without a valid key, 429
    /// for a network past its allowance of invalid keys (<see cref="ServerOptions.FailedKeyRpm"/>), whatever it sends.</summary>
    public Task Authenticate(HttpContext ctx, RequestDelegate next)
    {
        var access = ctx.GetEndpoint()?.Metadata.GetMetadata<HibpAccess>();
        if (access is null)
        {
            return next(ctx);
        }

        if (StringValues.IsNullOrEmpty(ctx.Request.Headers.UserAgent))
        {
            return WriteBytes(ctx, StatusCodes.Status403Forbidden, TextContentType, MissingUserAgent);
        }

        if (access.KeyRequired)
        {
            var header = ctx.Request.Headers[ApiKeyHeader];
            if (StringValues.IsNullOrEmpty(header))
            {
                return WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, MissingKey);
            }

            if (_redis is not null)
            {
                return AuthenticateShared(ctx, next, _redis, header[0]!);
            }

            return AuthenticateLocal(ctx, next, header[0]!);
        }

        return next(ctx);
    }

    /// <summary>The failed-key allowance and the key lookup, counted in this process.</summary>
    private Task AuthenticateLocal(HttpContext ctx, RequestDelegate next, string header)
    {
        // Refused before the key is even checked: an answer to a guess made past the allowance would still tell.
        var network = ClientNetwork.Of(ctx.Connection.RemoteIpAddress);
        if (_failedKeys.IsRefused(network, out var wait))
        {
            _metrics.RateLimitRejections.WithLabels("failed-key").Inc();
            return TooManyRequests(ctx, wait);
        }

        var key = header.AsSpan().Trim();
        var client = _options.TestAccounts && ApiKeyRing.IsTestKey(key) ? ApiClient.TestKey : _exposure.Keys.Find(key);
        if (client is null)
        {
            if (!_failedKeys.TryFail(network, out wait))
            {
                _metrics.RateLimitRejections.WithLabels("failed-key").Inc();
                return TooManyRequests(ctx, wait);
            }

            return WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, InvalidKey);
        }

        ctx.Features.Set(client);
        return next(ctx);
    }

    /// <summary>The global limiter's bucket (<see cref="KeyRateLimits"/>): per key at its rpm, per IP on anonymous
    /// endpoints and for the test key. None (rpm 0) for a request already counted in Redis.</summary>
    public RateKey LimitKey(HttpContext ctx) =>
        ctx.Features.Get<CountedInRedis>() is null && PartitionKey(ctx) is { } key ? key : default;

    /// <summary>Whom the global limit counts for this request, and at what rate; null when none applies.</summary>
    public RateKey? PartitionKey(HttpContext ctx)
    {
        if (ctx.GetEndpoint()?.Metadata.GetMetadata<RangeAccess>() is not null)
        {
            // Pwned Passwords ranges are public, k-anonymous and cacheable: their own per-IP rate, 0 = none.
            return _options.RangeRpm <= 0
                ? null
                : new RateKey(new ClientId(-1, ClientNetwork.Of(ctx.Connection.RemoteIpAddress)), _options.RangeRpm);
        }

        var access = ctx.GetEndpoint()?.Metadata.GetMetadata<HibpAccess>();
        if (access is not { CountsRequests: true })
        {
            // None, or counted per call by the endpoint's handler.
            return null;
        }

        var client = access.KeyRequired ? ctx.Features.Get<ApiClient>() : null;
        return client?.Key is { } k
            ? new RateKey(ClientId.ForKey(k.Id), k.Rpm)
            : new RateKey(ClientId.ForAddress(ctx.Connection.RemoteIpAddress), client is null ? _options.AnonymousRpm : _options.TestKeyRpm);
    }

    internal static RateLimitPartition<RateKey> TokenBucket(RateKey key)
    {
        return RateLimitPartition.GetTokenBucketLimiter(key, static k => new TokenBucketRateLimiterOptions
        {
            // A bucket of one minute's requests: bursts up to rpm, rpm sustained. Slow rates refill one request
            // at a time (an exact Retry-After); fast ones refill each second, since the limiter's timer runs
            // once per period and a sub-millisecond period would keep a core busy.
            TokenLimit = k.Rpm,
            TokensPerPeriod = k.Rpm < 60 ? 1 : (k.Rpm + 59) / 60,
            ReplenishmentPeriod = k.Rpm < 60 ? TimeSpan.FromTicks(TimeSpan.TicksPerMinute / k.Rpm) : TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        });
    }

    public ValueTask OnRateLimited(OnRejectedContext context, CancellationToken token)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        var isPrivate = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<PrivateAccess>() is not null;
        if (isPrivate)
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
        }

        var scope = isPrivate ? "private" : context.HttpContext.Features.Get<ApiClient>() is { Key: not null } ? "key" : "ip";
        _metrics.RateLimitRejections.WithLabels(scope).Inc();
        return new ValueTask(TooManyRequests(context.HttpContext, seconds));
    }

    private Task BreachedAccount(HttpContext ctx, string account, string? truncateResponse, string? domain, string? includeUnverified)
    {
        // Whether an account is in a breach is about a person: no cache along the way may keep any answer.
        ctx.Response.Headers.CacheControl = "no-store";
        var client = ctx.Features.Get<ApiClient>()!;
        var truncate = ParseBool(truncateResponse, true);
        var unverified = ParseBool(includeUnverified, true);
        var found = t_found ??= new List<PreparedBreach>(8);
        found.Clear();
        var search = SearchAccount(client, account, ctx.Connection.RemoteIpAddress, found);
        return search.IsCompletedSuccessfully
            ? Answer(ctx, search.Result, truncate, domain, unverified)
            : AnswerAsync(ctx, search, truncate, domain, unverified);
    }

    private static async Task AnswerAsync(HttpContext ctx, ValueTask<AccountSearch> search, bool truncate, string? domain, bool includeUnverified) =>
        await Answer(ctx, await search, truncate, domain, includeUnverified);

    private static Task Answer(HttpContext ctx, AccountSearch search, bool truncate, string? domain, bool includeUnverified) => search.Outcome switch
    {
        AccountSearchOutcome.Answered => Respond(ctx, search.Found, truncate, domain, includeUnverified),
        AccountSearchOutcome.Invalid => WriteBytes(ctx, StatusCodes.Status400BadRequest, TextContentType, BadAccount),
        AccountSearchOutcome.TestKeyRefused => WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, InvalidKey),
        AccountSearchOutcome.Blocked => TooManyRequests(ctx, search.RetryAfterSeconds),
        _ => ServiceUnavailable(ctx),
    };

    private static Task Respond(HttpContext ctx, List<PreparedBreach> found, bool truncate, string? domain, bool includeUnverified)
    {
        FilterAccountBreaches(found, domain, includeUnverified);
        if (found.Count == 0)
        {
            return NotFound(ctx);
        }

        var length = ServingState.ArrayLength(found, truncate);
        var response = ctx.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.ContentLength = length;
        var writer = response.BodyWriter;
        ServingState.WriteArray(found, truncate, writer.GetSpan(length));
        writer.Advance(length);
        found.Clear();
        var flush = writer.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    private Task Breaches(HttpContext ctx, string? domain, string? isSpamList) =>
        WriteJson(ctx, BreachesJson(domain, string.IsNullOrEmpty(isSpamList) ? null : ParseBool(isSpamList, false)));

    /// <summary>The catalogue as <c>/breaches</c> answers it: every published breach, or those of <paramref name="domain"/>
    /// (any case) and of the spam-list flag when given.</summary>
    internal byte[] BreachesJson(string? domain, bool? spam)
    {
        var state = _exposure.Current;
        var hasDomain = !string.IsNullOrWhiteSpace(domain);
        if (!hasDomain && spam is null)
        {
            return state.AllJson;
        }

        var list = new List<PreparedBreach>();
        foreach (var p in state.All)
        {
            if ((!hasDomain || string.Equals(p.Breach.Domain, domain!.Trim(), StringComparison.OrdinalIgnoreCase)) &&
                (spam is null || p.Breach.IsSpamList == spam))
            {
                list.Add(p);
            }
        }

        return ServingState.JoinArray(list, truncated: false);
    }

    private Task SubscriptionStatus(HttpContext ctx)
    {
        var client = ctx.Features.Get<ApiClient>()!;
        if (client.Key is not { } key)
        {
            return WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, InvalidKey);
        }

        var status = new SubscriptionStatus
        {
            SubscriptionName = "Leakwatch",
            Description = string.IsNullOrEmpty(key.Name)
                ? $"Self-hosted Leakwatch key {key.Id}, {key.Rpm} requests per minute."
                : $"Self-hosted Leakwatch key {key.Id} ({key.Name}), {key.Rpm} requests per minute.",
            // Self-hosted keys do not expire; HIBP writes a local date-time without offset.
            SubscribedUntil = "9999-12-31T23:59:59",
            Rpm = key.Rpm,
            DomainSearchMaxBreachedAccounts = 0,
            IncludesStealerLogs = false,
        };
        return WriteJson(ctx, JsonSerializer.SerializeToUtf8Bytes(status, ServerJson.Default.SubscriptionStatus));
    }

    /// <summary>true/false/1/0 in any case; anything else (or absent) is the default.</summary>
    internal static bool ParseBool(string? value, bool defaultValue)
    {
        if (string.IsNullOrEmpty(value))
        {
            return defaultValue;
        }

        var v = value.AsSpan().Trim();
        if (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v is "1")
        {
            return true;
        }

        if (v.Equals("false", StringComparison.OrdinalIgnoreCase) || v is "0")
        {
            return false;
        }

        return defaultValue;
    }

    internal static Task TooManyRequests(HttpContext ctx, int seconds)
    {
        var s = seconds.ToString(CultureInfo.InvariantCulture);
        ctx.Response.Headers[HeaderNames.RetryAfter] = s;
        var body = Encoding.UTF8.GetBytes("{\"statusCode\":429,\"message\":\"Rate limit is exceeded. Try again in " + s + " seconds.\"}");
        return WriteBytes(ctx, StatusCodes.Status429TooManyRequests, JsonContentType, body);
    }

    private static readonly byte[] RedisDown =
        "{\"statusCode\":503,\"message\":\"Service unavailable: the cluster's shared counters cannot be reached. Try again later.\"}"u8.ToArray();

    /// <summary>503 for an endpoint whose limits must hold across the cluster while Redis is unreachable.</summary>
    internal static Task ServiceUnavailable(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Response.Headers[HeaderNames.RetryAfter] = "5";
        return WriteBytes(ctx, StatusCodes.Status503ServiceUnavailable, JsonContentType, RedisDown);
    }

    private static Task NotFound(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        ctx.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private static Task WriteJson(HttpContext ctx, byte[] body) => WriteBytes(ctx, StatusCodes.Status200OK, JsonContentType, body);

    private static Task WriteBytes(HttpContext ctx, int status, string contentType, byte[] body)
    {
        var response = ctx.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}

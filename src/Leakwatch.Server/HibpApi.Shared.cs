using Leakwatch.Catalog;
using Leakwatch.Catalog.Lookup;
using Microsoft.AspNetCore.Http;

namespace Leakwatch.Server;

/// <summary>The HIBP API's keyed requests with <c>--redis</c>: limits and the enumeration detector counted for the cluster.</summary>
internal sealed partial class HibpApi
{
    /// <summary>
    /// The failed-key allowance and the key's rate, in one round trip: an invalid key takes from its network's
    /// allowance; a valid one needs the allowance not to be empty and takes from its own bucket (the test key: its
    /// IP's). A busy key spends tokens leased from Redis (<see cref="KeyLeases"/>) without a round trip.
    /// While Redis is unreachable, account search answers 503 and other keyed endpoints count in-process.
    /// </summary>
    private async Task AuthenticateShared(HttpContext ctx, RequestDelegate next, RedisCounters redis, string header)
    {
        var network = ClientNetwork.Of(ctx.Connection.RemoteIpAddress);
        var key = header.AsSpan().Trim();
        var client = _options.TestAccounts && ApiKeyRing.IsTestKey(key) ? ApiClient.TestKey : _exposure.Keys.Find(key);
        var rateKey = client is null ? default : client.Key is { } k
            ? new RateKey(ClientId.ForKey(k.Id), k.Rpm)
            : new RateKey(ClientId.ForAddress(ctx.Connection.RemoteIpAddress), _options.TestKeyRpm);
        SharedVerdict verdict;
        if (!redis.IsAvailable)
        {
            verdict = SharedVerdict.Unavailable;
        }
        else if (client is null)
        {
            redis.Leases.FailedKey(network);
            verdict = await redis.TakeAsync([SharedBucket.FailedKeys(network, _options.FailedKeyRpm, take: true)]);
        }
        else if (ctx.GetEndpoint()?.Metadata.GetMetadata<PerAccountLimit>() is not null)
        {
            // A bulk request takes one token per account once its body is read (HibpApi.Bulk); here only the allowance.
            verdict = await redis.TakeAsync([SharedBucket.FailedKeys(network, _options.FailedKeyRpm, take: false)]);
        }
        else if (redis.Leases.TryTake(rateKey, network))
        {
            verdict = new SharedVerdict(SharedOutcome.Allowed);
        }
        else
        {
            verdict = await redis.TakeAsync([SharedBucket.FailedKeys(network, _options.FailedKeyRpm, take: false),
                SharedBucket.For("g", rateKey) with { Lease = redis.Leases.ToAsk(rateKey) }]);
            if (verdict is { Outcome: SharedOutcome.Allowed, Granted: > 0 })
            {
                redis.Leases.Granted(rateKey, network, verdict.Granted);
            }
        }

        switch (verdict.Outcome)
        {
            case SharedOutcome.Unavailable when ctx.GetEndpoint()?.Metadata.GetMetadata<SharedCountersRequired>() is not null:
                await ServiceUnavailable(ctx);
                return;
            case SharedOutcome.Unavailable:
                await AuthenticateLocal(ctx, next, header);
                return;
            case SharedOutcome.Refused:
                _metrics.RateLimitRejections.WithLabels(verdict.RefusedBucket == 0 ? "failed-key" : client?.Key is not null ? "key" : "ip").Inc();
                await TooManyRequests(ctx, verdict.RetryAfterSeconds);
                return;
        }

        if (client is null)
        {
            await WriteBytes(ctx, StatusCodes.Status401Unauthorized, TextContentType, InvalidKey);
            return;
        }

        ctx.Features.Set(client);
        ctx.Features.Set(CountedInRedis.Instance);
        await next(ctx);
    }

    /// <summary>
    /// Account search with the detector in Redis: the lookup first (local), then the detector checks the key's and the
    /// network's blocks, records the lookup and has it judged (at once, or by Redis in the background, see
    /// <see cref="SharedScrapingDetector.CheckAsync"/>). An invalid account only checks the blocks (a blocked client
    /// gets 429 whatever it sends). Redis unreachable: 503. A request answered without waiting uses the thread's
    /// list of breaches, as without Redis; only one that waits for Redis copies it.
    /// </summary>
    private Task BreachedAccountShared(HttpContext ctx, SharedScrapingDetector detector, ApiKey key, List<PreparedBreach> found,
        string account, bool truncate, string? domain, bool includeUnverified)
    {
        DetectedLookup? lookup = null;
        var state = _exposure.Acquire();
        try
        {
            var kind = state.TryKey(account, _exposure.Phones, out var indexKey);
            if (kind != AccountKind.Invalid)
            {
                if (!_optOuts.Contains(indexKey))
                {
                    state.Find(indexKey, found);
                }

                ulong e164 = 0;
                if (kind == AccountKind.Phone && !_exposure.Phones.Value.TryNormalize(account.AsSpan().Trim(), out e164))
                {
                    e164 = 0;
                }

                lookup = new DetectedLookup(indexKey, kind, e164, found.Count > 0);
            }
        }
        finally
        {
            state.Release();
        }

        var check = detector.CheckAsync(ClientId.ForKey(key.Id), ClientNetwork.Of(ctx.Connection.RemoteIpAddress), key.Rpm, lookup);
        return check.IsCompletedSuccessfully
            ? AnswerShared(ctx, check.Result, found, lookup is not null, truncate, domain, includeUnverified)
            : AnswerSharedAsync(ctx, check, [.. found], lookup is not null, truncate, domain, includeUnverified);
    }

    private async Task AnswerSharedAsync(HttpContext ctx, ValueTask<int?> check, List<PreparedBreach> found, bool valid,
        bool truncate, string? domain, bool includeUnverified) =>
        await AnswerShared(ctx, await check, found, valid, truncate, domain, includeUnverified);

    private Task AnswerShared(HttpContext ctx, int? wait, List<PreparedBreach> found, bool valid, bool truncate, string? domain,
        bool includeUnverified)
    {
        if (wait is null)
        {
            return ServiceUnavailable(ctx);
        }

        if (wait > 0)
        {
            _metrics.EnumerationRejections.Inc();
            return TooManyRequests(ctx, wait.Value);
        }

        return valid ? Respond(ctx, found, truncate, domain, includeUnverified) : WriteBytes(ctx, StatusCodes.Status400BadRequest, TextContentType, BadAccount);
    }
}

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
        // An endpoint counted per call (MCP) only needs the allowance here; its handler takes the key's tokens.
        var perCall = ctx.GetEndpoint()?.Metadata.GetMetadata<HibpAccess>() is { CountsRequests: false };
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
        else if (perCall)
        {
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
        if (!perCall)
        {
            ctx.Features.Set(CountedInRedis.Instance);
        }

        await next(ctx);
    }
}

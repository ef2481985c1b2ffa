using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Leakwatch.Server;

/// <summary>
/// With <c>--redis</c>, the per-IP and private limits of requests without an API key (ranges, the anonymous catalogue
/// endpoints, private config and evaluation), counted in Redis in one round trip before the in-process limiter, which
/// then lets a counted request through. Keyed requests were counted by <see cref="HibpApi"/>'s authentication.
/// A private evaluation takes from its client's bucket and then from the global budget in the same script.
/// While Redis is unreachable: private evaluation answers 503, everything else is left to the in-process limiter.
/// </summary>
internal sealed class SharedLimits(RedisCounters redis, HibpApi api, PrivateApi privateApi, ServerOptions options, ServerMetrics metrics)
{
    public Task Apply(HttpContext ctx, RequestDelegate next)
    {
        if (ctx.Features.Get<CountedInRedis>() is not null)
        {
            return next(ctx);
        }

        var endpoint = ctx.GetEndpoint();
        var policy = endpoint?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        SharedBucket[] buckets;
        if (policy == PrivateApi.EvaluatePolicy)
        {
            var rps = Math.Max(1, options.PrivateGlobalRps);
            buckets =
            [
                SharedBucket.For("pe", new RateKey(privateApi.EvaluateClient(ctx), Math.Max(1, options.PrivateRpm))),
                new SharedBucket("lw:tb:pg:" + rps.ToString(System.Globalization.CultureInfo.InvariantCulture), rps, TimeSpan.FromSeconds(1)),
            ];
        }
        else if (policy == PrivateApi.ConfigPolicy)
        {
            buckets = [SharedBucket.For("pc", new RateKey(ClientId.ForAddress(ctx.Connection.RemoteIpAddress), Math.Max(1, options.AnonymousRpm)))];
        }
        else if (api.PartitionKey(ctx) is { } key)
        {
            buckets = [SharedBucket.For("g", key)];
        }
        else
        {
            return next(ctx);
        }

        var required = endpoint?.Metadata.GetMetadata<SharedCountersRequired>() is not null;
        if (!redis.IsAvailable)
        {
            return required ? HibpApi.ServiceUnavailable(ctx) : next(ctx);
        }

        return ApplyAsync(ctx, next, buckets, required, policy is not null);
    }

    private async Task ApplyAsync(HttpContext ctx, RequestDelegate next, SharedBucket[] buckets, bool required, bool isPrivate)
    {
        var verdict = await redis.TakeAsync(buckets);
        switch (verdict.Outcome)
        {
            case SharedOutcome.Unavailable when required:
                await HibpApi.ServiceUnavailable(ctx);
                return;
            case SharedOutcome.Unavailable:
                await next(ctx);
                return;
            case SharedOutcome.Refused:
                if (isPrivate)
                {
                    ctx.Response.Headers.CacheControl = "no-store";
                }

                // The global private budget is one second's: its wait is always the rest of a second.
                metrics.RateLimitRejections.WithLabels(!isPrivate ? "ip" : verdict.RefusedBucket == 1 ? "private-global" : "private").Inc();
                await HibpApi.TooManyRequests(ctx, verdict.RefusedBucket == 1 && isPrivate ? 1 : verdict.RetryAfterSeconds);
                return;
        }

        ctx.Features.Set(CountedInRedis.Instance);
        await next(ctx);
    }
}

namespace Leakwatch.Server;

/// <summary>Request feature: this request's rate limits were counted in Redis, so the in-process limiter lets it through.</summary>
internal sealed class CountedInRedis
{
    public static readonly CountedInRedis Instance = new();
}

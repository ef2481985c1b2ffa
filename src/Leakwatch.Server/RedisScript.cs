namespace Leakwatch.Server;

/// <summary>The Lua scripts <see cref="RedisCounters"/> runs, by their number in its batch script.</summary>
internal enum RedisScript
{
    /// <summary>Token buckets: <c>RedisCounters.BucketScript</c>.</summary>
    Buckets = 1,

    /// <summary>The enumeration detector: <c>SharedScrapingDetector.Script</c>.</summary>
    Detector = 2,
}

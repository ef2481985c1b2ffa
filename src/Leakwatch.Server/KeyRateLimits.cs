using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Leakwatch.Server;

/// <summary>
/// The in-process token buckets of the global limit, one per <see cref="RateKey"/>. The HTTP pipeline's global
/// limiter is a view of these (<see cref="ForRequests"/>), and calls counted by their handler (MCP tool calls,
/// <see cref="HibpAccess.KeyPerCall"/>) take from the same buckets, so a key's rate is one rate whichever way it calls.
/// </summary>
internal sealed class KeyRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<RateKey> _buckets = PartitionedRateLimiter.Create<RateKey, RateKey>(static key =>
        key.Rpm > 0 ? HibpApi.TokenBucket(key) : RateLimitPartition.GetNoLimiter(key));

    /// <summary>The global limiter over requests: <paramref name="keyOf"/> names the bucket, or a key with rpm 0 for none.</summary>
    public PartitionedRateLimiter<HttpContext> ForRequests(Func<HttpContext, RateKey> keyOf) =>
        _buckets.WithTranslatedKey(keyOf, leaveOpen: true);

    /// <summary>Takes <paramref name="count"/> tokens, all or none (a bulk check takes one per account); 0 when
    /// granted, else the seconds until that many are back.</summary>
    public int Take(RateKey key, int count = 1)
    {
        using var lease = _buckets.AttemptAcquire(key, count);
        if (lease.IsAcquired)
        {
            return 0;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
    }

    public void Dispose() => _buckets.Dispose();
}

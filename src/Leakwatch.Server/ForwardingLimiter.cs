using System.Threading.RateLimiting;

namespace Leakwatch.Server;

/// <summary>
/// A partition of an endpoint policy that takes from a limiter held elsewhere: the policy's request and a batch's
/// further items (<c>POST /api/private/evaluate</c> with <c>"batch"</c>) count against one bucket per client. The
/// middleware may drop and dispose this wrapper whenever it likes; the bucket lives on in <paramref name="limiters"/>.
/// </summary>
internal sealed class ForwardingLimiter(PartitionedRateLimiter<RateKey> limiters, RateKey key) : RateLimiter
{
    /// <summary>Always idle: the wrapper holds no tokens, so the middleware may drop it at once.</summary>
    public override TimeSpan? IdleDuration => TimeSpan.MaxValue;

    public override RateLimiterStatistics? GetStatistics() => limiters.GetStatistics(key);

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => limiters.AttemptAcquire(key, permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        limiters.AcquireAsync(key, permitCount, cancellationToken);
}

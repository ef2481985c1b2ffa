using System.Collections.Concurrent;

namespace Leakwatch.Server;

/// <summary>
/// Counts invalid <c>hibp-api-key</c> values per client network: a bucket of <c>rpm</c> failures that refills at
/// <c>rpm</c> a minute. Once it is empty the network gets 429 for every keyed request, valid key or not, until it
/// refills by one. Keys are 128 random bits, so this is not what keeps them unguessable; it stops a scanner from
/// spending the server on guesses and makes one visible in the rejection metric.
/// </summary>
internal sealed class FailedKeyLimiter
{
    private const int MaxTracked = 100_000;
    private readonly double _rpm;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ClientNetwork, Bucket> _buckets = new();

    public FailedKeyLimiter(int rpm, TimeProvider time)
    {
        _rpm = Math.Max(1, rpm);
        _time = time;
    }

    /// <summary>True when the network has no failures left; <paramref name="retryAfterSeconds"/> until it has one.</summary>
    public bool IsRefused(ClientNetwork network, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (!_buckets.TryGetValue(network, out var b))
        {
            return false;
        }

        lock (b)
        {
            return !Refill(b, out retryAfterSeconds);
        }
    }

    /// <summary>Counts one invalid key; false (with the wait) when the network had none left.</summary>
    public bool TryFail(ClientNetwork network, out int retryAfterSeconds)
    {
        if (_buckets.Count >= MaxTracked)
        {
            Prune();
        }

        var b = _buckets.GetOrAdd(network, static (_, s) => new Bucket { Tokens = s._rpm, Ticks = s._time.GetUtcNow().UtcTicks }, this);
        lock (b)
        {
            if (!Refill(b, out retryAfterSeconds))
            {
                return false;
            }

            b.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Tops the bucket up for the time passed; false when it still holds less than one failure.</summary>
    private bool Refill(Bucket b, out int retryAfterSeconds)
    {
        var now = _time.GetUtcNow().UtcTicks;
        b.Tokens = Math.Min(_rpm, b.Tokens + (now - b.Ticks) / (double)TimeSpan.TicksPerMinute * _rpm);
        b.Ticks = now;
        if (b.Tokens >= 1)
        {
            retryAfterSeconds = 0;
            return true;
        }

        retryAfterSeconds = (int)Math.Max(1, Math.Ceiling((1 - b.Tokens) * 60 / _rpm));
        return false;
    }

    /// <summary>Forgets networks whose bucket has refilled: they are as if never seen.</summary>
    private void Prune()
    {
        foreach (var (network, b) in _buckets)
        {
            lock (b)
            {
                Refill(b, out _);
                if (b.Tokens >= _rpm)
                {
                    _buckets.TryRemove(network, out _);
                }
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long Ticks;
    }
}

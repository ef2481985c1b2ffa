using System.Collections.Concurrent;

namespace Leakwatch.Server;

/// <summary>
/// What a replica keeps of Redis's answers so that a busy key does not cost a round trip per request: a lease of
/// the key's tokens (taken from its bucket in Redis, so the key's rate holds for the cluster: a lease only spends
/// tokens Redis gave) and, per network, that its failed-key allowance was not empty a moment ago.
/// <para>A lease is <see cref="LeaseSize"/> tokens, 100 ms of the key's rate, so keys under 1,200 rpm take their
/// tokens one by one, as without leases. What a lease has not spent after <see cref="LeaseLifetime"/> is dropped,
/// never returned: a replica can make a key get slightly less than its rate, never more. An allowance seen
/// not empty is trusted for <see cref="AllowanceFresh"/>; a failed key from the network on this replica forgets it.</para>
/// </summary>
internal sealed class KeyLeases(TimeProvider time)
{
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan AllowanceFresh = TimeSpan.FromMilliseconds(250);

    /// <summary>Past this many entries, expired ones are swept when a lease is added.</summary>
    private const int SweepAbove = 4096;

    private readonly ConcurrentDictionary<RateKey, Lease> _leases = new();
    private readonly ConcurrentDictionary<ClientNetwork, long> _allowanceUntil = new();

    /// <summary>The tokens one lease takes for a key of <paramref name="rpm"/>: 100 ms of its rate, at least 1.</summary>
    public static int LeaseSize(int rpm) => Math.Max(1, rpm / 600);

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Spends one leased token of <paramref name="key"/> when the network's allowance is known not empty.</summary>
    public bool TryTake(RateKey key, ClientNetwork network)
    {
        var now = Now;
        if (!_allowanceUntil.TryGetValue(network, out var until) || until <= now || !_leases.TryGetValue(key, out var lease))
        {
            return false;
        }

        lock (lease)
        {
            if (lease.Tokens <= 0 || lease.ExpiresMs <= now)
            {
                return false;
            }

            lease.Tokens--;
            return true;
        }
    }

    /// <summary>How many tokens to ask Redis for: a new lease only when this replica's is spent or expired, else one
    /// (the request's own), so a replica never holds more than one lease of a key.</summary>
    public int ToAsk(RateKey key)
    {
        var now = Now;
        if (_leases.TryGetValue(key, out var lease))
        {
            lock (lease)
            {
                if (lease.Tokens > 0 && lease.ExpiresMs > now)
                {
                    return 1;
                }
            }
        }

        return LeaseSize(key.Rpm);
    }

    /// <summary>Redis gave <paramref name="granted"/> tokens of <paramref name="key"/> (one of them for this request)
    /// and found the network's allowance not empty.</summary>
    public void Granted(RateKey key, ClientNetwork network, int granted)
    {
        var now = Now;
        _allowanceUntil[network] = now + (long)AllowanceFresh.TotalMilliseconds;
        if (granted > 1)
        {
            var lease = _leases.GetOrAdd(key, _ => new Lease());
            lock (lease)
            {
                lease.Tokens = granted - 1;
                lease.ExpiresMs = now + (long)LeaseLifetime.TotalMilliseconds;
            }
        }

        if (_leases.Count + _allowanceUntil.Count > SweepAbove)
        {
            Sweep(now);
        }
    }

    /// <summary>A wrong key came from <paramref name="network"/>: its allowance is asked of Redis again.</summary>
    public void FailedKey(ClientNetwork network) => _allowanceUntil.TryRemove(network, out _);

    private void Sweep(long now)
    {
        foreach (var (key, lease) in _leases)
        {
            if (lease.ExpiresMs <= now)
            {
                _leases.TryRemove(key, out _);
            }
        }

        foreach (var (network, until) in _allowanceUntil)
        {
            if (until <= now)
            {
                _allowanceUntil.TryRemove(network, out _);
            }
        }
    }

    private sealed class Lease
    {
        public int Tokens { get; set; }

        public long ExpiresMs { get; set; }
    }
}

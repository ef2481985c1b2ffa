namespace Leakwatch.Server;

/// <summary>
/// One token bucket counted in Redis: <paramref name="Capacity"/> tokens (the burst), refilled continuously at
/// <paramref name="Capacity"/> per <paramref name="Period"/>. <paramref name="Take"/> false only checks that a token
/// is there (the failed-key allowance before a valid key is served). <paramref name="Lease"/> above 1 takes up to that
/// many tokens at once, for <see cref="KeyLeases"/>; with <paramref name="Exact"/> it takes exactly that many or none
/// (a bulk request counting each account).
/// </summary>
internal readonly record struct SharedBucket(string Key, int Capacity, TimeSpan Period, bool Take = true, int Lease = 1, bool Exact = false)
{
    /// <summary>A bucket of one minute's requests, as the in-process limiter's (<see cref="HibpApi.TokenBucket"/>).</summary>
    public static SharedBucket PerMinute(string key, int rpm, bool take = true) => new(key, Math.Max(1, rpm), TimeSpan.FromMinutes(1), take);

    /// <summary>The bucket of an in-process partition: <paramref name="scope"/> names the limiter (the global one, or a
    /// policy), and the key, like the partition, includes the rate.</summary>
    public static SharedBucket For(string scope, RateKey key) =>
        PerMinute("lw:tb:" + scope + ":" + key.Client.ToKeyPart() + ":" + key.Rpm.ToString(System.Globalization.CultureInfo.InvariantCulture), key.Rpm);

    /// <summary>The failed-key allowance of a network.</summary>
    public static SharedBucket FailedKeys(ClientNetwork network, int rpm, bool take) => PerMinute("lw:fk:" + RedisCounters.Net(network), rpm, take);
}

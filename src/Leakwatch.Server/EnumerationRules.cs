namespace Leakwatch.Server;

/// <summary>
/// When a client's <c>breachedaccount</c> lookups look like walking the identifier space. Only lookups within
/// <see cref="HorizonFor"/> the key's rpm count; a blocked client gets 429 for <see cref="BlockDuration"/>.
/// </summary>
public sealed record EnumerationRules
{
    /// <summary>The last this-many phone lookups are examined for runs.</summary>
    public int PhoneWindow { get; init; } = 50;

    /// <summary>Block when at least this many of them sit in tight runs.</summary>
    public int PhoneInRunThreshold { get; init; } = 30;

    /// <summary>Two sorted numbers at most this far apart are neighbours in a run: a walk stepping by up to this
    /// much is seen. Numbers a person or a team checks are scattered over a plan of millions, far wider apart.</summary>
    public ulong PhoneMaxGap { get; init; } = 1000;

    /// <summary>A run needs at least this many numbers (a pair of family numbers is not a walk).</summary>
    public int PhoneMinRunLength { get; init; } = 3;

    /// <summary>The last this-many lookups (any kind) are examined for hit rate.</summary>
    public int LookupWindow { get; init; } = 200;

    /// <summary>The hit-rate rule applies once the window holds at least this many distinct accounts…</summary>
    public int LowHitMinDistinct { get; init; } = 150;

    /// <summary>…and blocks when the fraction of lookups that found a breach is at most this.</summary>
    public double LowHitMaxRatio { get; init; } = 0.01;

    /// <summary>
    /// The hit-rate rule judges at least this much of a client's time. When its last <see cref="LookupWindow"/> lookups
    /// span less (a fast key fills the window in milliseconds), the hit rate must also be low over time: a running
    /// count of lookups and hits, each decaying with this time constant, so a moment of misses in a key's otherwise
    /// mixed traffic is not a sweep. A new client has no earlier traffic to lift its rate, so a sweep from the start
    /// is judged as before.
    /// </summary>
    public TimeSpan LowHitMinSpan { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How far back lookups count for a fast key; see <see cref="HorizonFor"/>.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Also judge each client network's lookups across every key used from it (once there are two), so
    /// spreading a walk over several keys does not hide it. Behind a proxy this needs <c>--trusted-proxy</c>, or every
    /// client is the proxy.</summary>
    public bool AggregateByNetwork { get; init; } = true;

    /// <summary>
    /// The horizon for a key of <paramref name="rpm"/>: <see cref="Horizon"/>, or the time the key needs to make
    /// <see cref="LookupWindow"/> lookups (with a quarter more for pauses) if that is longer. The rules' counts are
    /// reached in lookups, not minutes, so with a fixed horizon a slow key (the default 10 rpm makes 100 lookups in
    /// 10 minutes) could never fill the 150 distinct lookups of the hit-rate rule.
    /// </summary>
    public TimeSpan HorizonFor(int rpm)
    {
        var needed = TimeSpan.FromMinutes(LookupWindow * 1.25 / Math.Max(1, rpm));
        return needed > Horizon ? needed : Horizon;
    }

    public TimeSpan BlockDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Clients tracked at once; idle ones are dropped first, and past this new clients go untracked.</summary>
    public int MaxClients { get; init; } = 100_000;
}

namespace Leakwatch.Server;

/// <summary>
/// When a client's <c>breachedaccount</c> lookups look like walking the identifier space. Only lookups within
/// <see cref="Horizon"/> count; a blocked client gets 429 for <see cref="BlockDuration"/>.
/// </summary>
public sealed record EnumerationRules
{
    /// <summary>The last this-many phone lookups are examined for runs.</summary>
    public int PhoneWindow { get; init; } = 50;

    /// <summary>Block when at least this many of them sit in tight runs.</summary>
    public int PhoneInRunThreshold { get; init; } = 30;

    /// <summary>Two sorted numbers at most this far apart are neighbours in a run.</summary>
    public ulong PhoneMaxGap { get; init; } = 16;

    /// <summary>A run needs at least this many numbers (a pair of family numbers is not a walk).</summary>
    public int PhoneMinRunLength { get; init; } = 3;

    /// <summary>The last this-many lookups (any kind) are examined for hit rate.</summary>
    public int LookupWindow { get; init; } = 200;

    /// <summary>The hit-rate rule applies once the window holds at least this many distinct accounts…</summary>
    public int LowHitMinDistinct { get; init; } = 150;

    /// <summary>…and blocks when the fraction of lookups that found a breach is at most this.</summary>
    public double LowHitMaxRatio { get; init; } = 0.01;

    public TimeSpan Horizon { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan BlockDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Clients tracked at once; idle ones are dropped first, and past this new clients go untracked.</summary>
    public int MaxClients { get; init; } = 100_000;
}

namespace Leakwatch.Notify.Delivery;

/// <summary>
/// When a failed delivery is tried again: exponential backoff with full jitter (a uniform delay between one second and
/// a ceiling that doubles from 30 s, at most 4 h), so that replicas and rows that failed together do not come back
/// together. The ceilings add up to exactly 24 h: however the jitter falls, the last retry is due at most 24 h after
/// the first attempt, and the failure after it dead-letters the row. It needs no clock of the first attempt, so a row
/// requeued by <c>notify retry</c> gets the whole schedule again.
/// </summary>
public static class RetrySchedule
{
    public static readonly TimeSpan Base = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MaxStep = TimeSpan.FromHours(4);

    public static readonly TimeSpan Total = TimeSpan.FromHours(24);

    private static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(1);

    /// <summary>The ceiling of each retry's delay, in order; their sum is <see cref="Total"/>.</summary>
    public static IReadOnlyList<TimeSpan> Ceilings { get; } = BuildCeilings();

    /// <summary>Attempts in all before a row is dead: the first and one per ceiling.</summary>
    public static int MaxAttempts => Ceilings.Count + 1;

    /// <summary>The delay after the <paramref name="failures"/>-th failed attempt (1 after the first), with
    /// <paramref name="unit"/> in [0, 1) choosing within the ceiling; null when the row is to be dead-lettered.</summary>
    public static TimeSpan? Delay(int failures, double unit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        if (failures > Ceilings.Count)
        {
            return null;
        }

        var ceiling = Ceilings[failures - 1];
        var delay = TimeSpan.FromTicks((long)(ceiling.Ticks * Math.Clamp(unit, 0, 1)));
        return delay < MinDelay ? MinDelay : delay;
    }

    /// <summary><see cref="Delay"/> from <paramref name="now"/>, jittered by <see cref="Random.Shared"/>.</summary>
    public static DateTimeOffset? RetryAt(int failures, DateTimeOffset now) =>
        Delay(failures, Random.Shared.NextDouble()) is { } delay ? now + delay : null;

    private static TimeSpan[] BuildCeilings()
    {
        var ceilings = new List<TimeSpan>();
        var left = Total;
        var step = Base;
        while (left > TimeSpan.Zero)
        {
            var next = step < MaxStep ? step : MaxStep;
            next = next < left ? next : left;
            ceilings.Add(next);
            left -= next;
            step += step;
        }

        return [.. ceilings];
    }
}

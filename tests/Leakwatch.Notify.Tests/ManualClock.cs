namespace Leakwatch.Notify.Tests;

/// <summary>A clock the test moves: retries fall due without waiting hours.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

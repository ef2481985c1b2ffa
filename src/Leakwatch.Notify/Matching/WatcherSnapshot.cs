namespace Leakwatch.Notify.Matching;

/// <summary>The watchers as read at <see cref="TakenAt"/>, sorted by key: every subscription verified by then and every
/// monitored identifier, opt-outs not yet applied (they are applied to the hits, when the pass queues).</summary>
public sealed class WatcherSnapshot(Watcher[] watchers, DateTimeOffset takenAt)
{
    public IReadOnlyList<Watcher> Watchers => watchers;

    public DateTimeOffset TakenAt { get; } = takenAt;

    /// <summary>Seconds spent reading and sorting.</summary>
    public double LoadSeconds { get; init; }

    internal Watcher[] Array => watchers;
}

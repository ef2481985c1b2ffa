using Leakwatch.Catalog.State;

namespace Leakwatch.Notify.Matching;

/// <summary>
/// Writes the mail rows of a merge's hits while the merge still runs (on the <see cref="MergeKeyTap"/>'s thread), so
/// that the outbox insert, the largest part of matching, is off the ingest's path after the publish. The rows carry
/// the new breach's id, which is above the progress marker until the catch-up after the publish moves it: no claim
/// sees them before (<see cref="StateStore.InsertAhead"/>), a breach never published never notifies anyone, and its
/// rows are swept by the next ingest (<see cref="StateStore.SweepUnmatched"/>). Webhook rows are few and need the
/// hits grouped per API key: the catch-up writes them.
/// </summary>
public sealed class AheadWriter
{
    /// <summary>Hits per insert transaction: large enough that the commits cost nothing, small enough that the rows
    /// are written while the merge runs rather than in one go at its end.</summary>
    public const int Batch = 10_000;

    private readonly StateStore _state;
    private readonly int _breachId;

    public AheadWriter(StateStore state, int breachId)
    {
        _state = state;
        _breachId = breachId;
    }

    /// <summary>Inserts the mail rows of <paramref name="hits"/>[<paramref name="start"/> ..
    /// <paramref name="start"/> + <paramref name="count"/>) (indexes into <paramref name="watchers"/>); returns how many
    /// rows were new.</summary>
    public int Write(Watcher[] watchers, List<int> hits, int start, int count, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(watchers);
        ArgumentNullException.ThrowIfNull(hits);
        var items = new List<OutboxItem>(count);
        for (var i = start; i < start + count; i++)
        {
            var watcher = watchers[hits[i]];
            if (watcher.Kind == WatcherKind.Subscription)
            {
                items.Add(NotificationMatcher.MailRow(watcher.TargetId, _breachId));
            }
        }

        return items.Count == 0 ? 0 : _state.InsertAhead(items, now);
    }
}

using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Notify;
using Leakwatch.Notify.Matching;
using Leakwatch.Privacy;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Phases;

/// <summary>The phase after the publish: the new breach matched against every verified subscription and monitored
/// identifier (<see cref="NotificationMatcher"/>). The breach is already public, so a failure here fails nothing: it
/// is reported, and the next pass (the next ingest, or a <c>serve</c> replica seeing the generation) matches it.</summary>
internal static class NotificationMatching
{
    /// <summary>The tap the merge feeds (<see cref="MergeKeyTap"/>): it reads the watchers verified by now, and writes
    /// the mail rows of breach <paramref name="breachId"/> as it finds them, deliverable only once
    /// <see cref="AfterPublish"/> moves the progress marker.</summary>
    public static MergeKeyTap Tap(StateStore catalog, int breachId) =>
        new(() => NotificationMatcher.TakeSnapshot(catalog, DateTimeOffset.UtcNow), new AheadWriter(catalog, breachId));

    public static NotificationCounts AfterPublish(ExposureIndexStore store, StateStore catalog, KeyFile keys, string breachName,
        PreparedMatch? prepared, int breachId, CancellationToken ct)
    {
        try
        {
            TestKillPoint.Reached("matching");
            var report = new NotificationMatcher(store, catalog, new NotifySealing(keys)).CatchUp(DateTimeOffset.UtcNow, prepared, breachId, ct);
            return new NotificationCounts
            {
                Watchers = report.Watchers,
                Queued = report.Queued,
                LoadSeconds = report.LoadSeconds,
                MergeSeconds = report.MergeSeconds,
                QueueSeconds = report.QueueSeconds,
                AheadSeconds = report.AheadSeconds,
                InMerge = report.InMerge,
            };
        }
        catch (Exception e) when (e is LeakwatchException or IOException or System.Data.Common.DbException)
        {
            return new NotificationCounts { Error = $"{breachName} is published, but its notifications are not matched yet ({e.Message}); the next ingest or a running serve matches them" };
        }
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Notify.Matching;

namespace Leakwatch.Notify.Tests;

/// <summary>The tap that matches inside the ingest's merge: it finds exactly the watchers whose keys the merge passed
/// (a naive set intersection is the oracle), across chunk boundaries and with several watchers on one key, and a tap
/// whose watchers cannot be read neither blocks the merge nor pretends it matched.</summary>
public sealed class MergeKeyTapTests
{
    [Property(MaxTest = 200)]
    public Property Hits_AreExactlyTheWatchersWhoseKeysTheMergePassed(ulong[] watcherSeeds, ulong[] keySeeds) =>
        Prop.ToProperty(HitsMatchIntersection(Small(watcherSeeds), Small(keySeeds)));

    [Fact]
    public void Hits_SpanManyChunks_AndEveryWatcherOnAKeyIsHit()
    {
        // 300,000 merge keys (several 65,536-key chunks), every 7th watched, one of them by three watchers.
        var keys = new List<UInt128>();
        for (var i = 0; i < 300_000; i++)
        {
            keys.Add((UInt128)(i * 3 + 1));
        }

        var watched = new List<UInt128>();
        for (var i = 0; i < keys.Count; i += 7)
        {
            watched.Add(keys[i]);
            watched.Add(keys[i] + 1); // never in the merge
        }

        watched.Add(keys[140_000]);
        watched.Add(keys[140_000]);
        Assert.True(HitsMatchIntersection(watched, keys));
    }

    [Fact]
    public void Failure_ToReadTheWatchers_NeverBlocksTheMerge_AndReturnsNothing()
    {
        using var tap = new MergeKeyTap(() => throw new IOException("state store unreachable"));
        // Far more keys than the 32 chunks that may wait: a tap that stopped draining would block here for ever.
        for (var i = 0; i < 4_000_000; i++)
        {
            tap.OnKey((UInt128)i, 0, []);
        }

        Assert.Null(tap.Finish());
        Assert.Equal("state store unreachable", tap.Failure!.Message);
    }

    [Fact]
    public void WithAnAheadWriter_TheHitsRowsAreWrittenDuringTheMerge_HeldUntilTheMarkerMoves_AndReleasedOnce()
    {
        using var fx = new NotifyFixture(DateTimeOffset.UtcNow);
        const int breach = 7;
        fx.Store.Enqueue([], breach - 1, fx.Clock.Now);
        // 25,000 subscriptions watched (three write batches) and one monitored identifier, which only the catch-up
        // turns into webhook rows.
        var watchers = new Watcher[25_001];
        for (var i = 0; i < 25_000; i++)
        {
            watchers[i] = new Watcher((UInt128)(i * 2), WatcherKind.Subscription, i + 1);
        }

        watchers[25_000] = new Watcher((UInt128)60_000, WatcherKind.Monitored, 1);
        var snapshot = new WatcherSnapshot(watchers, DateTimeOffset.UnixEpoch);
        using var tap = new MergeKeyTap(() => snapshot, new AheadWriter(fx.Store, breach));
        for (var k = 0; k <= 60_000; k++)
        {
            tap.OnKey((UInt128)k, 0, []);
        }

        var prepared = tap.Finish()!;
        Assert.Equal(25_001, prepared.Hits.Count);
        Assert.Equal(25_001, prepared.Written);
        Assert.Equal(25_000, prepared.Inserted);

        // Written, but no notification yet: nothing to claim, count or list before the publish's pass.
        Assert.Equal(25_000, fx.Store.HeldAhead());
        Assert.Empty(fx.Store.ClaimDue(10, fx.Clock.Now, TimeSpan.FromMinutes(1)));
        Assert.Equal(0, fx.Store.OutboxStatus().Pending);

        // The pass after the publish writes the same row again (a lookup found it too): it stays one row.
        var (inserted, released) = fx.Store.Release([NotificationMatcher.MailRow(1, breach)], breach, fx.Clock.Now);
        Assert.Equal((0, 25_000), (inserted, released));
        Assert.Equal(25_000, fx.Store.OutboxStatus().Pending);
        Assert.Equal(0, fx.Store.HeldAhead());
    }

    private static List<UInt128> Small(ulong[] seeds)
    {
        // Few distinct values, so that watchers and keys overlap often.
        var list = new List<UInt128>();
        foreach (var s in seeds ?? [])
        {
            list.Add((UInt128)(s % 64));
        }

        return list;
    }

    private static bool HitsMatchIntersection(List<UInt128> watcherKeys, List<UInt128> mergeKeys)
    {
        var watchers = new Watcher[watcherKeys.Count];
        for (var i = 0; i < watchers.Length; i++)
        {
            watchers[i] = new Watcher(watcherKeys[i], WatcherKind.Subscription, i);
        }

        Array.Sort(watchers, (a, b) => a.Key.CompareTo(b.Key));
        // The merge passes distinct keys in ascending order.
        var distinct = new SortedSet<UInt128>(mergeKeys);
        var snapshot = new WatcherSnapshot(watchers, DateTimeOffset.UnixEpoch);
        using var tap = new MergeKeyTap(() => snapshot);
        foreach (var k in distinct)
        {
            tap.OnKey(k, 0, []);
        }

        var prepared = tap.Finish()!;
        var found = new List<long>();
        foreach (var i in prepared.Hits)
        {
            found.Add(watchers[i].TargetId);
        }

        var expected = new List<long>();
        foreach (var w in watchers)
        {
            if (distinct.Contains(w.Key))
            {
                expected.Add(w.TargetId);
            }
        }

        found.Sort();
        expected.Sort();
        return found.SequenceEqual(expected);
    }
}

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

namespace Leakwatch.Notify.Matching;

/// <summary>What an ingest's merge found for matching on publish (<see cref="MergeKeyTap"/>): the watchers it read
/// while the merge ran and the indexes, in <see cref="WatcherSnapshot.Watchers"/>, of those whose keys the new breach
/// holds.</summary>
public sealed record PreparedMatch(WatcherSnapshot Snapshot, IReadOnlyList<int> Hits, double JoinSeconds);

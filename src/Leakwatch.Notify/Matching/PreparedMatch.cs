namespace Leakwatch.Notify.Matching;

/// <summary>What an ingest's merge found for matching on publish (<see cref="MergeKeyTap"/>): the watchers it read
/// while the merge ran and the indexes, in <see cref="WatcherSnapshot.Watchers"/>, of those whose keys the new breach
/// holds.</summary>
public sealed record PreparedMatch(WatcherSnapshot Snapshot, IReadOnlyList<int> Hits, double JoinSeconds)
{
    /// <summary>How many of <see cref="Hits"/>, from the first, have their rows in the outbox already, written ahead
    /// of the publish (<see cref="AheadWriter"/>); the catch-up writes the rest.</summary>
    public int Written { get; init; }

    /// <summary>Rows those writes added.</summary>
    public int Inserted { get; init; }

    /// <summary>Seconds the tap's thread spent writing them (during the merge).</summary>
    public double AheadSeconds { get; init; }
}

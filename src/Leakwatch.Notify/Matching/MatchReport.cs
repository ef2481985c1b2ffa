namespace Leakwatch.Notify.Matching;

/// <summary>What one matching pass did: the breaches it matched, the watchers it merged against, and the outbox rows
/// it added (a pass run again adds none).</summary>
/// <param name="LoadSeconds">Reading the watchers from the state store and sorting them.</param>
/// <param name="MergeSeconds">The pass over the index.</param>
/// <param name="QueueSeconds">Writing the outbox rows and the progress marker.</param>
/// <param name="InMerge">The ingest's merge did the matching (<see cref="MergeKeyTap"/>), not a pass of its own.</param>
public sealed record MatchReport(IReadOnlyList<int> Breaches, int Watchers, int Hits, int Queued, double LoadSeconds, double MergeSeconds, double QueueSeconds,
    bool InMerge = false)
{
    public static readonly MatchReport Nothing = new([], 0, 0, 0, 0, 0, 0);

    /// <summary>Seconds the merge's tap spent writing rows ahead of the publish (<see cref="AheadWriter"/>), off the
    /// ingest's path; <see cref="QueueSeconds"/> is what was left after the publish.</summary>
    public double AheadSeconds { get; init; }
}

namespace Leakwatch.Notify.Matching;

/// <summary>What one matching pass did: the breaches it matched, the watchers it merged against, and the outbox rows
/// it added (a pass run again adds none).</summary>
public sealed record MatchReport(IReadOnlyList<int> Breaches, int Watchers, int Hits, int Queued, double Seconds)
{
    public static readonly MatchReport Nothing = new([], 0, 0, 0, 0);
}

namespace Leakwatch.Notify.Matching;

/// <summary>A watcher found in a new breach: <see cref="Watcher"/> is its index in the sorted watcher list.</summary>
public readonly record struct MatchHit(int Watcher, int BreachId);

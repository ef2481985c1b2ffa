namespace Leakwatch.Catalog.State;

/// <summary>What one upload of monitored identifiers did: how many were new, how many the key now monitors, and
/// whether it was refused whole because the total would pass the key's limit (then nothing was stored).</summary>
public sealed record MonitorAddResult(long Added, long Total, bool OverLimit);

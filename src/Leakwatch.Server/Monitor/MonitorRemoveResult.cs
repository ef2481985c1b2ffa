namespace Leakwatch.Server.Monitor;

/// <summary>What a removal did: identifiers removed, and the key's total afterwards.</summary>
public sealed record MonitorRemoveResult(long Removed, long Total);

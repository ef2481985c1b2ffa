namespace Leakwatch.Server.Monitor;

/// <summary>What an upload did: identifiers new to the key, the key's total afterwards, and the per-key limit.</summary>
public sealed record MonitorUploadResult(long Added, long Total, long Limit);

namespace Leakwatch.Server.Monitor;

/// <summary>One monitored identifier as the server can show it: its kind (<c>email</c>, <c>phone</c>) and, for a
/// phone, its last two digits. The server keeps nothing more (keyed hashes only).</summary>
public sealed record MonitoredEntry(string Kind, string Hint, DateTimeOffset Added);

namespace Leakwatch.Catalog.State;

/// <summary>A monitored identifier as the store holds it: its index key, its kind (<see cref="Lookup.AccountKind"/>
/// as a number) and a hint that cannot name it (a phone's last two digits; empty for an email).</summary>
public sealed record MonitoredIdentifier(byte[] MatchKey, int Kind, string Hint, DateTimeOffset Created);

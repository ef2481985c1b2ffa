namespace Leakwatch.Server.Monitor;

/// <summary>A page of the key's monitored identifiers, in an order that says nothing about them.</summary>
public sealed record MonitorListing(long Total, long Limit, long Offset, List<MonitoredEntry> Identifiers);

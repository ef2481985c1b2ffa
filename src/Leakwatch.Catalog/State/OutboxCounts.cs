namespace Leakwatch.Catalog.State;

/// <summary>Outbox rows by state, for <c>notify status</c>.</summary>
public sealed record OutboxCounts(long Pending, long Delivered, long Dead, long Cancelled, DateTimeOffset? OldestPending);

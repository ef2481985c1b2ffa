namespace Leakwatch.Catalog.State;

/// <summary>How many outbox rows of one channel are in one state, for <c>notify status</c>.</summary>
public sealed record OutboxChannelCount(OutboxChannel Channel, OutboxState State, long Count);

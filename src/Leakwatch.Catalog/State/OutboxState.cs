namespace Leakwatch.Catalog.State;

/// <summary>Where an outbox row stands.</summary>
public enum OutboxState
{
    Pending = 0,
    Delivered = 1,
    Dead = 2,
    Cancelled = 3,
}

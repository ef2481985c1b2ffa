namespace Leakwatch.Catalog.State;

/// <summary>How an outbox row is delivered.</summary>
public enum OutboxChannel
{
    Mail = 1,
    Webhook = 2,
}

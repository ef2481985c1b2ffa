using Leakwatch.Catalog.State;

namespace Leakwatch.Notify.Delivery;

/// <summary>Delivers the outbox rows of one <see cref="OutboxChannel"/> (mail, webhooks). The delivery loop claims
/// due rows, hands each to its channel, and records the outcome (retry with backoff, dead-letter, disable).</summary>
public interface IDeliveryChannel
{
    OutboxChannel Channel { get; }

    /// <summary>Where a row goes, for per-destination concurrency (a mail server, a webhook's host); rows with the
    /// same destination are delivered at most <c>perDestination</c> at a time.</summary>
    string Destination(OutboxItem item);

    /// <summary>Delivers one row; never throws for a failed delivery (returns it), only for cancellation.</summary>
    Task<DeliveryOutcome> DeliverAsync(OutboxItem item, CancellationToken ct);
}

namespace Leakwatch.Notify.Delivery;

/// <summary>How the <see cref="DeliveryLoop"/> paces itself.</summary>
public sealed record DeliveryLoopOptions
{
    /// <summary>Rows claimed at once.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Deliveries to one destination (the mail relay, one webhook host) at the same time.</summary>
    public int PerDestination { get; init; } = 4;

    /// <summary>How long a claim keeps other workers off the rows: longer than a batch can take (a batch to one
    /// destination: <see cref="BatchSize"/> / <see cref="PerDestination"/> attempts of at most 10 s). A worker killed
    /// mid-batch delays its rows this long, then another delivers them under the same message ids.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the outbox is looked at when idle (and nobody called <see cref="DeliveryLoop.Wake"/>).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

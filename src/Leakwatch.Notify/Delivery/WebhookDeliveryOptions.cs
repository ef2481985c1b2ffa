namespace Leakwatch.Notify.Delivery;

/// <summary>How webhooks are delivered.</summary>
public sealed record WebhookDeliveryOptions
{
    /// <summary>How long one attempt may take, connecting included, until the response headers (the 10 s):
    /// a receiver that hangs is cut then, and the row retried.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>serve --allow-private-webhooks</c>: deliver to loopback and private addresses too (a receiver on
    /// the same host or network). Off: such targets are refused at connect time, whatever DNS said at registration.</summary>
    public bool AllowPrivate { get; init; }

    /// <summary>The server's public base URL (<c>--public-url</c>), for the breach's report link; null: no link.</summary>
    public string? PublicUrl { get; init; }

    /// <summary>The clock of <c>webhook-timestamp</c>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

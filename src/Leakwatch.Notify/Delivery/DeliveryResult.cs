namespace Leakwatch.Notify.Delivery;

public enum DeliveryResult
{
    Delivered,

    /// <summary>Transient (timeout, 5xx, connection refused, SMTP 4xx): retried with backoff up to 24 h, then dead.</summary>
    Retry,

    /// <summary>Permanent for this row (SMTP 5xx for the recipient, a target that no longer exists): dead-lettered now.</summary>
    Dead,

    /// <summary>The destination said it is gone for good (a webhook answering 410): the row is dead-lettered and the
    /// webhook disabled, so nothing more is sent to it.</summary>
    Gone,
}

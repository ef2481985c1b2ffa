namespace Leakwatch.Notify.Delivery;

/// <summary>What one delivery attempt came to. <see cref="Error"/> is one line for <c>notify status</c> and the log,
/// and never holds an address or identifier.</summary>
public sealed record DeliveryOutcome(DeliveryResult Result, string? Error = null)
{
    public static readonly DeliveryOutcome Delivered = new(DeliveryResult.Delivered);

    public static DeliveryOutcome Retry(string error) => new(DeliveryResult.Retry, error);

    public static DeliveryOutcome Dead(string error) => new(DeliveryResult.Dead, error);

    public static DeliveryOutcome Gone(string error) => new(DeliveryResult.Gone, error);
}

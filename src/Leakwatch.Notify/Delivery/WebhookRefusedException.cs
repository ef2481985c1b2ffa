namespace Leakwatch.Notify.Delivery;

/// <summary>A delivery was not attempted because the webhook's host resolves to an address it may not reach (SSRF).</summary>
public sealed class WebhookRefusedException : IOException
{
    public WebhookRefusedException()
    {
    }

    public WebhookRefusedException(string message)
        : base(message)
    {
    }

    public WebhookRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Leakwatch.Catalog.State;

/// <summary>A registered webhook: its URL, its signing secret sealed (never in the clear at rest), the events it
/// receives, and since when and why it is disabled (a receiver answering 410), if it is.</summary>
public sealed record Webhook(long Id, int KeyId, string Url, byte[] SealedSecret, WebhookEvents Events, DateTimeOffset Created,
    DateTimeOffset? Disabled, string? DisabledReason)
{
    public bool IsActive => Disabled is null;
}

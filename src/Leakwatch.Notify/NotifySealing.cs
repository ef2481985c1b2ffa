using Leakwatch.Privacy;

namespace Leakwatch.Notify;

/// <summary>The sealers of the notification tables, one purpose each (AES-GCM under key-file subkeys,
/// <see cref="FieldSealer"/>): what the state store holds of an address or a secret opens only with the key file.</summary>
public sealed class NotifySealing
{
    public NotifySealing(KeyFile keys)
    {
        Address = new FieldSealer(keys, "address");
        Payload = new FieldSealer(keys, "outbox-payload");
        WebhookSecret = new FieldSealer(keys, "webhook-secret");
        Tokens = new NotifyTokens(keys);
    }

    /// <summary><c>subscriptions.sealed_address</c>; context <see cref="AddressContext"/>.</summary>
    public FieldSealer Address { get; }

    public static ReadOnlySpan<byte> AddressContext => "subscriptions.sealed_address"u8;

    /// <summary><c>outbox.sealed_payload</c>; context the row's message id.</summary>
    public FieldSealer Payload { get; }

    /// <summary><c>webhooks.sealed_secret</c>; context <see cref="WebhookSecretContext"/>.</summary>
    public FieldSealer WebhookSecret { get; }

    public static ReadOnlySpan<byte> WebhookSecretContext => "webhooks.sealed_secret"u8;

    public NotifyTokens Tokens { get; }
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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

    /// <summary>An outbox row's payload as JSON, sealed under <see cref="Payload"/> with the row's message id as context
    /// (every payload type of the outbox goes this one way).</summary>
    public byte[] SealPayload<T>(T payload, JsonTypeInfo<T> type, string messageId) =>
        Payload.Seal(JsonSerializer.SerializeToUtf8Bytes(payload, type), System.Text.Encoding.UTF8.GetBytes(messageId));

    /// <summary>Opens what <see cref="SealPayload{T}"/> sealed for this message id.</summary>
    public T OpenPayload<T>(byte[] sealedPayload, JsonTypeInfo<T> type, string messageId) =>
        JsonSerializer.Deserialize(Payload.Open(sealedPayload, "outbox payload", System.Text.Encoding.UTF8.GetBytes(messageId)), type)
        ?? throw new InvalidDataException("outbox payload: empty");

    /// <summary><c>webhooks.sealed_secret</c>; context <see cref="WebhookSecretContext"/>.</summary>
    public FieldSealer WebhookSecret { get; }

    public static ReadOnlySpan<byte> WebhookSecretContext => "webhooks.sealed_secret"u8;

    public NotifyTokens Tokens { get; }
}

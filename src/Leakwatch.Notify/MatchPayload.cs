using System.Text.Json;

namespace Leakwatch.Notify;

/// <summary>A webhook's <see cref="NotifyEvents.BreachExposed"/> payload: which monitored identifiers of the key
/// turned up, as the key itself uploaded them (sealed: the plaintext exists only in the delivery).</summary>
public sealed record MatchPayload(IReadOnlyList<string> Identifiers)
{
    public byte[] Seal(NotifySealing sealing, string messageId) =>
        sealing.Payload.Seal(JsonSerializer.SerializeToUtf8Bytes(this, NotifyJson.Default.MatchPayload), System.Text.Encoding.UTF8.GetBytes(messageId));

    public static MatchPayload Open(NotifySealing sealing, byte[] sealedPayload, string messageId) =>
        JsonSerializer.Deserialize(sealing.Payload.Open(sealedPayload, "outbox payload", System.Text.Encoding.UTF8.GetBytes(messageId)), NotifyJson.Default.MatchPayload)
        ?? throw new InvalidDataException("outbox payload: empty");
}

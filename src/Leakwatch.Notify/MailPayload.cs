using System.Text.Json;

namespace Leakwatch.Notify;

/// <summary>
/// What a verification or reminder mail needs that no table holds: the address and the link's token. Stored in
/// <c>outbox.sealed_payload</c>, sealed by <see cref="NotifySealing.Payload"/> with the row's message id as context,
/// and kept with the row after delivery (so <c>notify replay</c> can send it again) until the row is erased.
/// </summary>
public sealed record MailPayload(string To, string Token)
{
    public byte[] Seal(NotifySealing sealing, string messageId) =>
        sealing.Payload.Seal(JsonSerializer.SerializeToUtf8Bytes(this, NotifyJson.Default.MailPayload), System.Text.Encoding.UTF8.GetBytes(messageId));

    public static MailPayload Open(NotifySealing sealing, byte[] sealedPayload, string messageId) =>
        JsonSerializer.Deserialize(sealing.Payload.Open(sealedPayload, "outbox payload", System.Text.Encoding.UTF8.GetBytes(messageId)), NotifyJson.Default.MailPayload)
        ?? throw new InvalidDataException("outbox payload: empty");
}

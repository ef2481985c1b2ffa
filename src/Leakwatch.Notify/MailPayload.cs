using System.Text.Json;

namespace Leakwatch.Notify;

/// <summary>
/// What a verification or reminder mail needs that no table holds: the address and the link's token. Stored in
/// <c>outbox.sealed_payload</c>, sealed by <see cref="NotifySealing.Payload"/> with the row's message id as context,
/// and erased with the row once delivered (the row keeps no payload after delivery).
/// </summary>
public sealed record MailPayload(string To, string Token)
{
    public byte[] Seal(NotifySealing sealing, string messageId) =>
        sealing.Payload.Seal(JsonSerializer.SerializeToUtf8Bytes(this, NotifyJson.Default.MailPayload), System.Text.Encoding.UTF8.GetBytes(messageId));

    public static MailPayload Open(NotifySealing sealing, byte[] sealedPayload, string messageId) =>
        JsonSerializer.Deserialize(sealing.Payload.Open(sealedPayload, "outbox payload", System.Text.Encoding.UTF8.GetBytes(messageId)), NotifyJson.Default.MailPayload)
        ?? throw new InvalidDataException("outbox payload: empty");
}

namespace Leakwatch.Notify;

/// <summary>
/// What a verification or reminder mail needs that no table holds: the address and the link's token. Stored in
/// <c>outbox.sealed_payload</c>, sealed by <see cref="NotifySealing.Payload"/> with the row's message id as context,
/// and kept with the row after delivery (so <c>notify replay</c> can send it again) until the row is erased.
/// </summary>
public sealed record MailPayload(string To, string Token)
{
    public byte[] Seal(NotifySealing sealing, string messageId) => sealing.SealPayload(this, NotifyJson.Default.MailPayload, messageId);

    public static MailPayload Open(NotifySealing sealing, byte[] sealedPayload, string messageId) =>
        sealing.OpenPayload(sealedPayload, NotifyJson.Default.MailPayload, messageId);
}

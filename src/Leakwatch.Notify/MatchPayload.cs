namespace Leakwatch.Notify;

/// <summary>A webhook's <see cref="NotifyEvents.BreachExposed"/> payload: which monitored identifiers of the key
/// turned up, as the key itself uploaded them (sealed: the plaintext exists only in the delivery).</summary>
public sealed record MatchPayload(IReadOnlyList<string> Identifiers)
{
    public byte[] Seal(NotifySealing sealing, string messageId) => sealing.SealPayload(this, NotifyJson.Default.MatchPayload, messageId);

    public static MatchPayload Open(NotifySealing sealing, byte[] sealedPayload, string messageId) =>
        sealing.OpenPayload(sealedPayload, NotifyJson.Default.MatchPayload, messageId);
}

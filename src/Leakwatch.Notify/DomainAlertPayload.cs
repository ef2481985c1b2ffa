namespace Leakwatch.Notify;

/// <summary>A <see cref="NotifyEvents.DomainBreach"/> row's payload: the verified domain and how many distinct
/// addresses on it the breach holds. No alias travels: the owner fetches them from <c>breacheddomain</c>.</summary>
public sealed record DomainAlertPayload(string Domain, long Count)
{
    public byte[] Seal(NotifySealing sealing, string messageId) => sealing.SealPayload(this, NotifyJson.Default.DomainAlertPayload, messageId);

    public static DomainAlertPayload Open(NotifySealing sealing, byte[] sealedPayload, string messageId) =>
        sealing.OpenPayload(sealedPayload, NotifyJson.Default.DomainAlertPayload, messageId);
}

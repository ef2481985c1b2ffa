using System.Text.Json;

namespace Leakwatch.Notify;

/// <summary>A <see cref="NotifyEvents.DomainBreach"/> row's payload: the verified domain and how many distinct
/// addresses on it the breach holds. No alias travels: the owner fetches them from <c>breacheddomain</c>.</summary>
public sealed record DomainAlertPayload(string Domain, long Count)
{
    public byte[] Seal(NotifySealing sealing, string messageId) =>
        sealing.Payload.Seal(JsonSerializer.SerializeToUtf8Bytes(this, NotifyJson.Default.DomainAlertPayload), System.Text.Encoding.UTF8.GetBytes(messageId));

    public static DomainAlertPayload Open(NotifySealing sealing, byte[] sealedPayload, string messageId) =>
        JsonSerializer.Deserialize(sealing.Payload.Open(sealedPayload, "outbox payload", System.Text.Encoding.UTF8.GetBytes(messageId)), NotifyJson.Default.DomainAlertPayload)
        ?? throw new InvalidDataException("outbox payload: empty");
}

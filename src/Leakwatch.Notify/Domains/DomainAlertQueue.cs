using Leakwatch.Catalog.State;

namespace Leakwatch.Notify.Domains;

/// <summary>
/// Queues domain alerts (docs/organisations.md, "Domain alerts"): for each verified claim on a domain the new breach
/// holds addresses on, one <see cref="NotifyEvents.DomainBreach"/> row per active webhook of the claiming key that takes
/// the event, and one mail to the address that proved the domain by mail (none for a DNS proof). The payload is the
/// domain and the count only; the owner fetches the aliases from <c>breacheddomain</c>. The dedupe keys name (target,
/// breach, event, domain), so a re-run (a crash, a replay) never queues a second alert for the same pair.
/// </summary>
public static class DomainAlertQueue
{
    /// <summary>The rows for breach <paramref name="breachId"/>, given the distinct addresses per verified domain.</summary>
    public static List<OutboxItem> Rows(StateStore state, NotifySealing sealing, int breachId, IReadOnlyDictionary<string, long> counts)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(sealing);
        ArgumentNullException.ThrowIfNull(counts);
        var items = new List<OutboxItem>();
        if (counts.Count == 0)
        {
            return items;
        }

        List<Webhook>? webhooks = null;
        foreach (var claim in state.Domains())
        {
            if (!claim.IsVerified || !counts.TryGetValue(claim.Domain, out var count) || count <= 0)
            {
                continue;
            }

            var payload = new DomainAlertPayload(claim.Domain, count);
            if (webhooks is null)
            {
                webhooks = [];
                state.ForEachActiveWebhook(webhooks.Add);
            }

            foreach (var hook in webhooks)
            {
                if (hook.KeyId == claim.KeyId && hook.Events.HasFlag(WebhookEvents.DomainBreach))
                {
                    items.Add(Row(OutboxChannel.Webhook, hook.Id, $"webhook:{hook.Id}:{breachId}:{NotifyEvents.DomainBreach}:{claim.Domain}",
                        "msg_" + Guid.NewGuid().ToString("N"), breachId, payload, sealing));
                }
            }

            if (state.DomainAlertAddress(claim.KeyId, claim.Domain) is not null)
            {
                items.Add(Row(OutboxChannel.Mail, claim.KeyId, $"mail:key{claim.KeyId}:{breachId}:{NotifyEvents.DomainBreach}:{claim.Domain}",
                    Guid.NewGuid().ToString("N"), breachId, payload, sealing));
            }
        }

        return items;
    }

    /// <summary>Inserts <see cref="Rows"/> (those not queued before); returns how many were new. The matching progress
    /// marker is left alone: these rows are not a matching pass.</summary>
    public static int Enqueue(StateStore state, NotifySealing sealing, int breachId, IReadOnlyDictionary<string, long> counts, DateTimeOffset now)
    {
        var items = Rows(state, sealing, breachId, counts);
        return items.Count == 0 ? 0 : state.Enqueue(items, matchedThrough: 0, now);
    }

    private static OutboxItem Row(OutboxChannel channel, long target, string dedupe, string messageId, int breachId,
        DomainAlertPayload payload, NotifySealing sealing) => new()
        {
            Dedupe = dedupe,
            Channel = channel,
            TargetId = target,
            BreachId = breachId,
            Event = NotifyEvents.DomainBreach,
            MessageId = messageId,
            SealedPayload = payload.Seal(sealing, messageId),
        };
}

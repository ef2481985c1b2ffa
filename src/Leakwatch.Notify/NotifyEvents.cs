namespace Leakwatch.Notify;

/// <summary>The <c>event</c> of an outbox row: what is delivered, and how its content is built.</summary>
public static class NotifyEvents
{
    /// <summary>Mail: the double opt-in link of a new (or still unverified) subscription. Payload: <see cref="MailPayload"/>.</summary>
    public const string SubscriptionVerify = "subscription.verify";

    /// <summary>Mail: "you are already subscribed", with the unsubscribe link. Payload: <see cref="MailPayload"/>.</summary>
    public const string SubscriptionActive = "subscription.active";

    /// <summary>Mail: the link that proves control of an address and hides it from public search. Payload: <see cref="MailPayload"/>.</summary>
    public const string OptOutVerify = "optout.verify";

    /// <summary>Mail (target = API key id): the one-time link that proves control of a domain, to one of its role
    /// mailboxes. Payload: <see cref="MailPayload"/>.</summary>
    public const string DomainVerify = "domain.verify";

    /// <summary>Mail to a verified subscription (target = subscription id) or webhook (target = webhook id): a
    /// subscribed or monitored identifier is in a newly published breach (the row's breach id). Payload: none for a
    /// mail (the address is the subscription's); <see cref="MatchPayload"/> for a webhook.</summary>
    public const string BreachExposed = "breach.exposed";

    /// <summary>Webhook (target = webhook id): a breach was published (the row's breach id). Payload: none.</summary>
    public const string BreachPublished = "breach.published";

    /// <summary>Mail (target = API key id, to the address that proved the domain by mail) or webhook (target = webhook
    /// id): a newly published breach (the row's breach id) holds addresses on a verified domain of the key. Payload:
    /// <see cref="DomainAlertPayload"/> (the domain and the count, never an address).</summary>
    public const string DomainBreach = "domain.breach";
}

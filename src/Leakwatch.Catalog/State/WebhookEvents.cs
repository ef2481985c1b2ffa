namespace Leakwatch.Catalog.State;

/// <summary>Which events a webhook receives (<c>webhooks.events</c>, a bit set).</summary>
[Flags]
public enum WebhookEvents
{
    None = 0,

    /// <summary><c>breach.exposed</c>: a monitored identifier of the webhook's key is in a newly published breach.</summary>
    BreachExposed = 1,

    /// <summary><c>breach.published</c>: a breach was published.</summary>
    BreachPublished = 2,

    /// <summary><c>domain.breach</c>: a newly published breach holds addresses on a verified domain of the webhook's key.</summary>
    DomainBreach = 4,
}

namespace Leakwatch.Catalog.State;

/// <summary>What subscribing answers the caller: the same to everyone, whatever it says here, so the endpoint tells
/// nobody who is subscribed; only what the server then mails differs.</summary>
public enum SubscribeOutcome
{
    /// <summary>A new or still unverified subscription: mail the verification link (its token was stored).</summary>
    SendVerification,

    /// <summary>Already verified: the stored tokens stay; mail a reminder that it is active, with its unsubscribe link.</summary>
    SendReminder,

    /// <summary>A mail went to this address within the quiet period: send nothing new.</summary>
    SendNothing,
}

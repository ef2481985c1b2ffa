namespace Leakwatch.Notify.Domains;

/// <summary>What asking for a verification mail did.</summary>
public enum MailRequestOutcome
{
    /// <summary>A mail with a one-time link is in the outbox.</summary>
    Queued,

    /// <summary>The key had already verified the domain: nothing sent.</summary>
    AlreadyVerified,

    /// <summary>A link was mailed for this key and domain within <see cref="DomainOwnership.MailQuiet"/>: nothing sent.</summary>
    TooSoon,
}

namespace Leakwatch.Server.Domains;

/// <summary>The answer to asking for a verification mail: the role address it goes to.</summary>
public sealed record DomainMailQueued(string Domain, string Mailbox, string Message);

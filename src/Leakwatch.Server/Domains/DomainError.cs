namespace Leakwatch.Server.Domains;

/// <summary>An error of the domain API: one line naming the field (domain, mailbox, method, body) or what failed.</summary>
public sealed record DomainError(int StatusCode, string Message);

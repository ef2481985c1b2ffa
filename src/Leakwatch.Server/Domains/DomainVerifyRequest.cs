namespace Leakwatch.Server.Domains;

/// <summary><c>POST /api/domains/{domain}/verify</c>: <c>method</c> <c>dns</c> (the default) or <c>email</c>, and for
/// email the <c>mailbox</c> (security, hostmaster, postmaster or admin).</summary>
public sealed record DomainVerifyRequest(string? Method, string? Mailbox);

namespace Leakwatch.Server.Domains;

/// <summary>One of the calling key's domains: <c>state</c> pending or verified, <c>method</c> dns or email once verified.</summary>
public sealed record DomainView(string Domain, string State, string? Method, DateTimeOffset Added, DateTimeOffset? Verified);

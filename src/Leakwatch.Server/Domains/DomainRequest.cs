namespace Leakwatch.Server.Domains;

/// <summary><c>POST /api/domains</c>: <c>{"domain": "example.com"}</c>.</summary>
public sealed record DomainRequest(string? Domain);

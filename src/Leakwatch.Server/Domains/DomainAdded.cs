namespace Leakwatch.Server.Domains;

/// <summary>The answer to adding a domain: the TXT record to publish (null when the key had already verified it;
/// the token is shown only here, the server keeps its hash).</summary>
public sealed record DomainAdded(string Domain, string State, string? TxtRecord, string Message);

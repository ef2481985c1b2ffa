namespace Leakwatch.Notify.Domains;

/// <summary>The DNS check's finding and, when it did not verify, one line saying why (naming the domain, never a token).</summary>
public sealed record DnsCheck(DnsCheckOutcome Outcome, string Message);

namespace Leakwatch.Notify.Domains;

/// <summary>What the DNS check found at a domain.</summary>
public enum DnsCheckOutcome
{
    /// <summary>A TXT record holds the key's current token.</summary>
    Verified,

    /// <summary>No <c>leakwatch-verification=</c> TXT record at the domain (or the name does not exist).</summary>
    NoRecord,

    /// <summary>A <c>leakwatch-verification=</c> record is there, but none holds the key's current token.</summary>
    WrongToken,

    /// <summary>The resolver could not be asked or answered with an error.</summary>
    LookupFailed,
}

namespace Leakwatch.Catalog.State;

/// <summary>What adding a domain did: <see cref="TokenIssued"/> is false when the key had already verified it
/// (nothing changed; there is no token to publish).</summary>
public sealed record DomainAddResult(OwnedDomain Domain, bool TokenIssued);

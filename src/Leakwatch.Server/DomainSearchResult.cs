namespace Leakwatch.Server;

/// <summary>What a domain search answers: whether the key has verified the domain and, if so, alias → breach names
/// (empty when no address of the domain is in a breach, HTTP 404).</summary>
internal sealed record DomainSearchResult(bool Verified, IReadOnlyDictionary<string, IReadOnlyList<string>> Aliases)
{
    /// <summary>The key has not verified the domain (HTTP 403): nothing about it is told.</summary>
    public static readonly DomainSearchResult NotVerified = new(false, new Dictionary<string, IReadOnlyList<string>>());
}

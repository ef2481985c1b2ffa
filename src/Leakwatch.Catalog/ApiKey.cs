namespace Leakwatch.Catalog;

/// <summary>An API key as stored: never the key itself, only the SHA-256 of it.</summary>
public sealed record ApiKey
{
    public int Id { get; init; }
    public string Name { get; init; } = "";
    /// <summary>Requests per minute allowed for this key.</summary>
    public int Rpm { get; init; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? Revoked { get; init; }
    /// <summary>SHA-256 of the key's 32 lowercase hex characters (ASCII).</summary>
    public byte[] Hash { get; init; } = [];

    public bool IsRevoked => Revoked is not null;
}

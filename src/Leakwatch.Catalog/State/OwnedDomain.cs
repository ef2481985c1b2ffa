namespace Leakwatch.Catalog.State;

/// <summary>A domain an API key claims: pending until <see cref="Verified"/> is set, by <see cref="Method"/>
/// (<c>dns</c> or <c>email</c>). <see cref="KeyName"/> is the key's label, for listings.</summary>
public sealed record OwnedDomain(int KeyId, string KeyName, string Domain, DateTimeOffset Created, DateTimeOffset? Verified, string? Method)
{
    public bool IsVerified => Verified is not null;

    public string State => IsVerified ? "verified" : "pending";
}

namespace Leakwatch.Catalog.State;

/// <summary>A subscription as the store holds it: the identifier's index key and its sealed address only.</summary>
public sealed record Subscription(long Id, byte[] MatchKey, byte[] SealedAddress, DateTimeOffset? Verified, DateTimeOffset Created);

namespace Leakwatch.Catalog.State;

/// <summary>An opt-out as the store holds it: the identifier's index key, and its sealed private-tier form (the OPRF
/// outputs the server computed while it held the identifier; null when the key file had no OPRF key then).</summary>
public sealed record OptOutRecord(byte[] MatchKey, byte[]? SealedPrivate);

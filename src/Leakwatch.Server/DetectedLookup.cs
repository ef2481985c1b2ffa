using Leakwatch.Catalog.Lookup;

namespace Leakwatch.Server;

/// <summary>One account search as the enumeration detector sees it: the keyed index hash, never the account.</summary>
/// <param name="E164">The phone number as E.164 digits, or 0 for an email.</param>
internal readonly record struct DetectedLookup(UInt128 Key, AccountKind Kind, ulong E164, bool Hit);

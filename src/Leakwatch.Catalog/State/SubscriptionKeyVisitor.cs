namespace Leakwatch.Catalog.State;

/// <summary>One verified subscription as the matching pass reads it: its id and its index key, lent for the call.</summary>
public delegate void SubscriptionKeyVisitor(long id, ReadOnlySpan<byte> matchKey);

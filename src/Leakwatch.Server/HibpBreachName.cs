namespace Leakwatch.Server;

/// <summary>HIBP's truncated breach: just the name.</summary>
internal sealed record HibpBreachName(string Name);

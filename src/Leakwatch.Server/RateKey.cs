namespace Leakwatch.Server;

/// <summary>Partition of the global rate limiter: whom it limits and at what rate.</summary>
internal readonly record struct RateKey(ClientId Client, int Rpm);

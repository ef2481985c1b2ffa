namespace Leakwatch.Server;

/// <summary>Endpoint metadata: a private-lookup endpoint (no-store responses, the private limiter's 429 scope).</summary>
internal sealed class PrivateAccess
{
    public static readonly PrivateAccess Instance = new();
}

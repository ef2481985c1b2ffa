namespace Leakwatch.Server;

/// <summary>Endpoint metadata: the request counts one token of the key's rate per account it carries, taken by the
/// endpoint once it has read the body (<c>POST /api/v3/bulk</c>), not one by the limiter before it.</summary>
internal sealed class PerAccountLimit
{
    public static readonly PerAccountLimit Instance = new();
}

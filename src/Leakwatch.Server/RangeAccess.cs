namespace Leakwatch.Server;

/// <summary>Endpoint metadata: the Pwned Passwords range API, anonymous, with its own per-IP rate.</summary>
internal sealed class RangeAccess
{
    public static readonly RangeAccess Instance = new();
}

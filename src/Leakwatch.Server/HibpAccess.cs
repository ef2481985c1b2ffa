namespace Leakwatch.Server;

/// <summary>Endpoint metadata: whether an HIBP endpoint needs <c>hibp-api-key</c>.</summary>
internal sealed class HibpAccess
{
    public static readonly HibpAccess Anonymous = new(false);
    public static readonly HibpAccess Key = new(true);

    private HibpAccess(bool keyRequired) => KeyRequired = keyRequired;

    public bool KeyRequired { get; }
}

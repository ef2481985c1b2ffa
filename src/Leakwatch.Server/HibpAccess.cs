namespace Leakwatch.Server;

/// <summary>Endpoint metadata: whether an HIBP endpoint needs <c>hibp-api-key</c>, and whether the rate limiters count
/// its HTTP requests or its handler counts the calls carried inside them (<see cref="KeyPerCall"/>).</summary>
internal sealed class HibpAccess
{
    public static readonly HibpAccess Anonymous = new(false, true);
    public static readonly HibpAccess Key = new(true, true);

    /// <summary>Key required, but one HTTP request is not one call: the MCP endpoint carries a handshake and tool
    /// calls in its requests, and each tool call takes from the key's rate as one HTTP request would
    /// (<see cref="HibpApi.TakeCallAsync"/>), so a refusal can be answered as a tool error.</summary>
    public static readonly HibpAccess KeyPerCall = new(true, false);

    private HibpAccess(bool keyRequired, bool countsRequests)
    {
        KeyRequired = keyRequired;
        CountsRequests = countsRequests;
    }

    public bool KeyRequired { get; }

    /// <summary>True when the rate limiters count each HTTP request to the endpoint.</summary>
    public bool CountsRequests { get; }
}

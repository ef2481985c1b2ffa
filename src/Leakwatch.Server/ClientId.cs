using System.Globalization;
using System.Net;

namespace Leakwatch.Server;

/// <summary>Who a rate or enumeration decision is about: an API key id, else the client's address.</summary>
internal readonly record struct ClientId(int KeyId, IPAddress? Address)
{
    /// <summary>For logs: the key id or the IP, never anything the client looked up.</summary>
    public override string ToString() =>
        KeyId > 0 ? "key " + KeyId.ToString(CultureInfo.InvariantCulture) : "ip " + (Address?.ToString() ?? "unknown");
}

using System.Globalization;

namespace Leakwatch.Server;

/// <summary>Who a rate or enumeration decision is about: an API key id (&gt; 0), else the client's network.</summary>
internal readonly record struct ClientId(int KeyId, ClientNetwork Network)
{
    public static ClientId ForKey(int keyId) => new(keyId, default);

    public static ClientId ForAddress(System.Net.IPAddress? address) => new(0, ClientNetwork.Of(address));

    /// <summary>For a Redis key: <c>k</c> and the key id, or <c>n</c> and the network's bits (<see cref="RedisCounters.Net"/>).</summary>
    public string ToKeyPart() => KeyId > 0 ? "k" + KeyId.ToString(CultureInfo.InvariantCulture) : (KeyId < 0 ? "r" : "n") + RedisCounters.Net(Network);

    /// <summary>For logs: the key id or the network, never anything the client looked up.</summary>
    public override string ToString() =>
        KeyId > 0 ? "key " + KeyId.ToString(CultureInfo.InvariantCulture) : "ip " + Network;
}

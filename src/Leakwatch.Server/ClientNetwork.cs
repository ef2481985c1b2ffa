using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Leakwatch.Server;

/// <summary>
/// Whom a per-IP limit counts: an IPv4 address, or the /64 of an IPv6 address. A single host is routinely given a
/// whole /64 and may pick any address in it, so counting IPv6 addresses one by one would give it no limit at all.
/// A value, so a rate-limiter partition key costs no allocation.
/// </summary>
internal readonly record struct ClientNetwork(UInt128 Bits, AddressFamily Family)
{
    public const int IPv6PrefixLength = 64;

    /// <summary>The network of a peer: IPv4 (also when written IPv4-mapped by a dual-stack socket) or its IPv6 /64.</summary>
    public static ClientNetwork Of(IPAddress? address)
    {
        if (address is null)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return default;
        }

        if (written == 4)
        {
            return new ClientNetwork(BinaryPrimitives.ReadUInt32BigEndian(bytes), AddressFamily.InterNetwork);
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return new ClientNetwork(BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]), AddressFamily.InterNetwork);
        }

        bytes[(IPv6PrefixLength / 8)..].Clear();
        return new ClientNetwork(BinaryPrimitives.ReadUInt128BigEndian(bytes), AddressFamily.InterNetworkV6);
    }

    /// <summary>For logs: the address, or the /64 (an address of a client, never anything it looked up).</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        switch (Family)
        {
            case AddressFamily.InterNetwork:
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Bits);
                return new IPAddress(bytes[..4]).ToString();
            case AddressFamily.InterNetworkV6:
                BinaryPrimitives.WriteUInt128BigEndian(bytes, Bits);
                return new IPAddress(bytes).ToString() + "/" + IPv6PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            default:
                return "unknown";
        }
    }
}

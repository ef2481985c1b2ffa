using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Leakwatch.Privacy;

/// <summary>
/// The one way a domain is named in a sealed store (the domain store, the stealer-log stores): the first 64 bits of
/// HMAC-SHA256 of its UTF-8 name under a key-file subkey, one subkey per store. Without the key file a tag cannot
/// be computed from a guessed domain.
/// </summary>
internal static class DomainTag
{
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static ulong Of(byte[] subkey, ReadOnlySpan<char> domain)
    {
        const int StackBytes = 1024;
        var max = Encoding.UTF8.GetMaxByteCount(domain.Length);
        byte[]? rented = null;
        var utf8 = max <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(domain, utf8);
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(subkey, utf8[..n], mac);
            return BinaryPrimitives.ReadUInt64BigEndian(mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

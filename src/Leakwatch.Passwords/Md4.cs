using System.Buffers.Binary;
using System.Numerics;

namespace Leakwatch.Passwords;

/// <summary>
/// MD4 (RFC 1320), one-shot. .NET ships no MD4; NTLM hashes are MD4 over the UTF-16LE password.
/// Only for computing NTLM hashes of known passwords: MD4 is broken and must not be used for anything else.
/// </summary>
internal static class Md4
{
    public const int HashSize = 16;

    public static byte[] HashData(ReadOnlySpan<byte> data)
    {
        var hash = new byte[HashSize];
        HashData(data, hash);
        return hash;
    }

    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException("destination must hold 16 bytes", nameof(destination));
        }

        uint a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
        Span<uint> x = stackalloc uint[16];
        var full = data.Length / 64;
        for (var i = 0; i < full; i++)
        {
            Block(data.Slice(64 * i, 64), x, ref a, ref b, ref c, ref d);
        }

        // Padding: 0x80, zeros to 56 mod 64, then the bit length as a little-endian u64.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = data[(64 * full)..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var tailLength = rest.Length < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[(tailLength - 8)..], (ulong)data.Length * 8);
        for (var off = 0; off < tailLength; off += 64)
        {
            Block(tail.Slice(off, 64), x, ref a, ref b, ref c, ref d);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, a);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], b);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], c);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], d);
    }

    private static void Block(ReadOnlySpan<byte> block, Span<uint> x, ref uint a0, ref uint b0, ref uint c0, ref uint d0)
    {
        for (var i = 0; i < 16; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(4 * i)..]);
        }

        uint a = a0, b = b0, c = c0, d = d0;

        // Round 1: F(x,y,z) = (x & y) | (~x & z); shifts 3, 7, 11, 19.
        for (var i = 0; i < 16; i += 4)
        {
            a = BitOperations.RotateLeft(a + ((b & c) | (~b & d)) + x[i], 3);
            d = BitOperations.RotateLeft(d + ((a & b) | (~a & c)) + x[i + 1], 7);
            c = BitOperations.RotateLeft(c + ((d & a) | (~d & b)) + x[i + 2], 11);
            b = BitOperations.RotateLeft(b + ((c & d) | (~c & a)) + x[i + 3], 19);
        }

        // Round 2: G(x,y,z) = majority; constant 0x5A827999; word order 0,4,8,12 / 1,5,9,13 / ...; shifts 3, 5, 9, 13.
        const uint k2 = 0x5A827999;
        for (var i = 0; i < 4; i++)
        {
            a = BitOperations.RotateLeft(a + ((b & c) | (b & d) | (c & d)) + x[i] + k2, 3);
            d = BitOperations.RotateLeft(d + ((a & b) | (a & c) | (b & c)) + x[i + 4] + k2, 5);
            c = BitOperations.RotateLeft(c + ((d & a) | (d & b) | (a & b)) + x[i + 8] + k2, 9);
            b = BitOperations.RotateLeft(b + ((c & d) | (c & a) | (d & a)) + x[i + 12] + k2, 13);
        }

        // Round 3: H(x,y,z) = x ^ y ^ z; constant 0x6ED9EBA1; word order 0,8,4,12,2,10,6,14,1,9,5,13,3,11,7,15; shifts 3, 9, 11, 15.
        const uint k3 = 0x6ED9EBA1;
        ReadOnlySpan<byte> order = [0, 2, 1, 3];
        for (var j = 0; j < 4; j++)
        {
            var i = order[j];
            a = BitOperations.RotateLeft(a + (b ^ c ^ d) + x[i] + k3, 3);
            d = BitOperations.RotateLeft(d + (a ^ b ^ c) + x[i + 8] + k3, 9);
            c = BitOperations.RotateLeft(c + (d ^ a ^ b) + x[i + 4] + k3, 11);
            b = BitOperations.RotateLeft(b + (c ^ d ^ a) + x[i + 12] + k3, 15);
        }

        a0 += a;
        b0 += b;
        c0 += c;
        d0 += d;
    }
}

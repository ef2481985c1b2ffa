using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Leakwatch.Passwords;

/// <summary>
/// SHA-1 (FIPS 180-4), one-shot, managed. Stealer-log ingests hash one short password per line; through OpenSSL 3
/// every such call paid more for the provider's per-call work (context allocation, algorithm fetch, error queue
/// clearing) than for the one block it hashes, so short inputs are hashed here. Same digest as
/// <see cref="System.Security.Cryptography.SHA1.HashData(ReadOnlySpan{byte}, Span{byte})"/>.
/// </summary>
internal static class Sha1
{
    public const int HashSize = 20;

    [SkipLocalsInit]
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException("destination must hold 20 bytes", nameof(destination));
        }

        Span<uint> state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
        Span<uint> w = stackalloc uint[80];
        var full = data.Length / 64;
        for (var i = 0; i < full; i++)
        {
            Block(data.Slice(64 * i, 64), w, state);
        }

        // Padding: 0x80, zeros to 56 mod 64, then the bit length as a big-endian u64.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = data[(64 * full)..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var tailLength = rest.Length < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64BigEndian(tail[(tailLength - 8)..], (ulong)data.Length * 8);
        for (var off = 0; off < tailLength; off += 64)
        {
            Block(tail.Slice(off, 64), w, state);
        }

        for (var i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(4 * i)..], state[i]);
        }
    }

    private static void Block(ReadOnlySpan<byte> block, Span<uint> w, Span<uint> state)
    {
        for (var i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(4 * i)..]);
        }

        for (var i = 16; i < 80; i++)
        {
            w[i] = BitOperations.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (var i = 0; i < 20; i++)
        {
            var t = BitOperations.RotateLeft(a, 5) + ((b & c) | (~b & d)) + e + 0x5A827999 + w[i];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = t;
        }

        for (var i = 20; i < 40; i++)
        {
            var t = BitOperations.RotateLeft(a, 5) + (b ^ c ^ d) + e + 0x6ED9EBA1 + w[i];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = t;
        }

        for (var i = 40; i < 60; i++)
        {
            var t = BitOperations.RotateLeft(a, 5) + ((b & c) | (b & d) | (c & d)) + e + 0x8F1BBCDC + w[i];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = t;
        }

        for (var i = 60; i < 80; i++)
        {
            var t = BitOperations.RotateLeft(a, 5) + (b ^ c ^ d) + e + 0xCA62C1D6 + w[i];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = t;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}

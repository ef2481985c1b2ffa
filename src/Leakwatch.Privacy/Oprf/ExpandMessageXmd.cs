using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Leakwatch.Privacy.Oprf;

/// <summary>expand_message_xmd (RFC 9380 §5.3.1) instantiated with SHA-512: b_in_bytes = 64, s_in_bytes = 128.</summary>
public static class ExpandMessageXmd
{
    private const int HashBytes = 64;
    private const int BlockBytes = 128;
    private const int MaxDstBytes = 255;
    private const int StackMessageLimit = 1024;

    /// <summary>Fills <paramref name="output"/> (its length is len_in_bytes) with uniform bytes for
    /// <paramref name="message"/> under the domain-separation tag <paramref name="dst"/>.</summary>
    [SkipLocalsInit]
    public static void Sha512(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<byte> output)
    {
        var ell = (output.Length + HashBytes - 1) / HashBytes;
        if (output.Length == 0 || ell > 255 || output.Length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(output), output.Length, "len_in_bytes must be 1..16320 for SHA-512");
        }

        if (dst.Length > MaxDstBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(dst), dst.Length, "DST longer than 255 bytes");
        }

        // msg_prime = Z_pad || msg || I2OSP(len_in_bytes, 2) || I2OSP(0, 1) || DST || I2OSP(len(DST), 1)
        var primeLength = BlockBytes + message.Length + 3 + dst.Length + 1;
        byte[]? rented = null;
        var msgPrime = primeLength <= StackMessageLimit
            ? stackalloc byte[StackMessageLimit]
            : rented = ArrayPool<byte>.Shared.Rent(primeLength);
        msgPrime = msgPrime[..primeLength];
        msgPrime[..BlockBytes].Clear();
        message.CopyTo(msgPrime[BlockBytes..]);
        var tail = msgPrime[(BlockBytes + message.Length)..];
        tail[0] = (byte)(output.Length >> 8);
        tail[1] = (byte)output.Length;
        tail[2] = 0;
        dst.CopyTo(tail[3..]);
        tail[^1] = (byte)dst.Length;

        Span<byte> b0 = stackalloc byte[HashBytes];
        SHA512.HashData(msgPrime, b0);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        // b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime), with b_1 = H(b_0 || 1 || DST_prime)
        Span<byte> chain = stackalloc byte[HashBytes + 1 + MaxDstBytes + 1];
        chain = chain[..(HashBytes + 1 + dst.Length + 1)];
        dst.CopyTo(chain[(HashBytes + 1)..]);
        chain[^1] = (byte)dst.Length;
        Span<byte> bi = stackalloc byte[HashBytes];
        b0.CopyTo(chain);
        for (var i = 1; i <= ell; i++)
        {
            if (i > 1)
            {
                for (var j = 0; j < HashBytes; j++)
                {
                    chain[j] = (byte)(b0[j] ^ bi[j]);
                }
            }

            chain[HashBytes] = (byte)i;
            SHA512.HashData(chain, bi);
            var offset = (i - 1) * HashBytes;
            bi[..Math.Min(HashBytes, output.Length - offset)].CopyTo(output[offset..]);
        }
    }
}

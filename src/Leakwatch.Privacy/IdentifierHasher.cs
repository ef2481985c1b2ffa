using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Leakwatch.Privacy;

/// <summary>
/// The one keyed hasher: turns a normalized identifier into its 80-bit exposure-index key.
/// SipHash (libsodium, 128-bit output) keyed by the key file; without the key the index is not reversible
/// by hashing candidate emails or all 10^10 phone numbers of a country.
/// </summary>
public sealed class IdentifierHasher
{
    private readonly byte[] _key;

    public IdentifierHasher(KeyFile keys)
    {
        Sodium.EnsureInitialized();
        _key = keys.IndexKey;
    }

    /// <summary>Key for a normalized email (lowercase, A-label domain), as produced by EmailNormalizer.</summary>
    [SkipLocalsInit]
    public UInt128 HashEmail(ReadOnlySpan<char> normalizedEmail)
    {
        Span<byte> buffer = stackalloc byte[2 + 4 * 320];
        buffer[0] = (byte)'e';
        buffer[1] = (byte)':';
        var n = Encoding.UTF8.GetBytes(normalizedEmail, buffer[2..]);
        return Hash(buffer[..(2 + n)]);
    }

    /// <summary><see cref="HashEmail"/> for a normalized email already in UTF-8 (bulk checks normalise bytes).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public UInt128 HashEmailUtf8(ReadOnlySpan<byte> normalizedEmail)
    {
        Span<byte> buffer = stackalloc byte[2 + 4 * 320];
        buffer[0] = (byte)'e';
        buffer[1] = (byte)':';
        normalizedEmail.CopyTo(buffer[2..]);
        return Hash(buffer[..(2 + normalizedEmail.Length)]);
    }

    /// <summary>Key for a phone number in E.164, given as its digits.</summary>
    [SkipLocalsInit]
    public UInt128 HashPhone(ulong e164Digits)
    {
        Span<byte> buffer = stackalloc byte[10];
        buffer[0] = (byte)'p';
        buffer[1] = (byte)':';
        BinaryPrimitives.WriteUInt64BigEndian(buffer[2..], e164Digits);
        return Hash(buffer);
    }

    [SkipLocalsInit]
    private unsafe UInt128 Hash(ReadOnlySpan<byte> input)
    {
        Span<byte> output = stackalloc byte[16];
        SipHash128(_key, input, output);
        return IndexKeyFromHash(output);
    }

    /// <summary>The index keeps 80 bits of the hash: enough that collisions among 1.2B identifiers are
    /// unlikely (expected 6e-7 pairs), with the low 48 bits zero so keys sort and compare as plain UInt128.</summary>
    public static UInt128 IndexKeyFromHash(ReadOnlySpan<byte> hash16)
    {
        var hi = BinaryPrimitives.ReadUInt64BigEndian(hash16);
        var lo = (ulong)BinaryPrimitives.ReadUInt16BigEndian(hash16[8..]) << 48;
        return new UInt128(hi, lo);
    }

    internal static unsafe void SipHash128(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        fixed (byte* k = key)
        fixed (byte* i = input)
        fixed (byte* o = output)
        {
            Sodium.crypto_shorthash_siphashx24(o, i, (ulong)input.Length, k);
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// MIGP entries (docs/private-lookup.md §4). From the PRF output y and the index salt, HKDF-SHA256 gives each
/// entry i a 16-byte keycheck and a 24-byte pad (which also depends on the entry's random nonce):
/// <code>entry = keycheck_i (16) || nonce (8) || (count u8 || flags u8 || 11 × u16be ids) XOR pad_i (24)</code>
/// The HKDF extract step depends only on (y, salt), so it is done once per identifier (<see cref="DerivePrk"/>)
/// and each keycheck or pad is one HMAC. Nothing here allocates.
/// </summary>
public static class PrivateEntryCodec
{
    public const int PrkSize = 32;
    private const byte MoreFlag = 0x01;
    private static ReadOnlySpan<byte> KeycheckInfo => "leakwatch/private/v1/keycheck"u8;
    private static ReadOnlySpan<byte> PayloadInfo => "leakwatch/private/v1/payload"u8;

    /// <summary>HKDF-Extract(salt, y): the pseudorandom key every keycheck and pad of this identifier expands from.</summary>
    public static void DerivePrk(ReadOnlySpan<byte> y, ReadOnlySpan<byte> salt, Span<byte> prk) =>
        HKDF.Extract(HashAlgorithmName.SHA256, y, salt, prk);

    /// <summary>keycheck_i = HKDF-Expand(prk, "leakwatch/private/v1/keycheck" || u8(i), 16).</summary>
    [SkipLocalsInit]
    public static void Keycheck(ReadOnlySpan<byte> prk, int i, Span<byte> keycheck)
    {
        Span<byte> info = stackalloc byte[KeycheckInfo.Length + 1];
        KeycheckInfo.CopyTo(info);
        info[^1] = checked((byte)i);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, keycheck[..PrivateProtocol.KeycheckSize], info);
    }

    /// <summary>pad_i = HKDF-Expand(prk, "leakwatch/private/v1/payload" || u8(i) || nonce, 24).</summary>
    [SkipLocalsInit]
    public static void Pad(ReadOnlySpan<byte> prk, int i, ReadOnlySpan<byte> nonce, Span<byte> pad)
    {
        Span<byte> info = stackalloc byte[PayloadInfo.Length + 1 + PrivateProtocol.NonceSize];
        PayloadInfo.CopyTo(info);
        info[PayloadInfo.Length] = checked((byte)i);
        nonce[..PrivateProtocol.NonceSize].CopyTo(info[(PayloadInfo.Length + 1)..]);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, pad[..PrivateProtocol.PayloadSize], info);
    }

    /// <summary>Writes entry i holding up to 11 breach ids; <paramref name="more"/> says entry i+1 exists.</summary>
    [SkipLocalsInit]
    public static void Encode(ReadOnlySpan<byte> prk, int i, ReadOnlySpan<byte> nonce, ReadOnlySpan<ushort> ids, bool more, Span<byte> entry)
    {
        if (ids.Length > PrivateProtocol.IdsPerEntry)
        {
            throw new ArgumentException($"an entry holds at most {PrivateProtocol.IdsPerEntry} ids", nameof(ids));
        }

        entry = entry[..PrivateProtocol.EntrySize];
        Keycheck(prk, i, entry);
        nonce[..PrivateProtocol.NonceSize].CopyTo(entry[PrivateProtocol.KeycheckSize..]);
        var payload = entry[(PrivateProtocol.KeycheckSize + PrivateProtocol.NonceSize)..];
        payload.Clear();
        payload[0] = (byte)ids.Length;
        payload[1] = more ? MoreFlag : (byte)0;
        for (var k = 0; k < ids.Length; k++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload[(2 + 2 * k)..], ids[k]);
        }

        Span<byte> pad = stackalloc byte[PrivateProtocol.PayloadSize];
        Pad(prk, i, nonce, pad);
        Xor(payload, pad);
    }

    /// <summary>Decrypts entry i (the caller found it by its keycheck). False when the plaintext is malformed
    /// (a count above 11): the entry was not written for this identifier and index.</summary>
    [SkipLocalsInit]
    public static bool TryDecode(ReadOnlySpan<byte> prk, int i, ReadOnlySpan<byte> entry, Span<ushort> ids, out int count, out bool more)
    {
        var nonce = entry.Slice(PrivateProtocol.KeycheckSize, PrivateProtocol.NonceSize);
        Span<byte> plain = stackalloc byte[PrivateProtocol.PayloadSize];
        Pad(prk, i, nonce, plain);
        Xor(plain, entry.Slice(PrivateProtocol.KeycheckSize + PrivateProtocol.NonceSize, PrivateProtocol.PayloadSize));
        count = plain[0];
        more = (plain[1] & MoreFlag) != 0;
        if (count > PrivateProtocol.IdsPerEntry || ids.Length < count)
        {
            count = 0;
            more = false;
            return false;
        }

        for (var k = 0; k < count; k++)
        {
            ids[k] = BinaryPrimitives.ReadUInt16BigEndian(plain[(2 + 2 * k)..]);
        }

        return true;
    }

    /// <summary>Index of the entry with this keycheck in a bucket sorted by keycheck, or -1 (binary search).</summary>
    public static int Find(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> keycheck)
    {
        var lo = 0;
        var hi = bucket.Length / PrivateProtocol.EntrySize - 1;
        keycheck = keycheck[..PrivateProtocol.KeycheckSize];
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = bucket.Slice(mid * PrivateProtocol.EntrySize, PrivateProtocol.KeycheckSize).SequenceCompareTo(keycheck);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>
    /// A dummy entry: random nonce and ciphertext, keycheck = SipHash-128(dummyKey, u64be(bucket id) || nonce), the bucket id being u32 calling code (0 for emails) and u32 bucket within its section, which a merge keeps when sections are added. To anyone
    /// without the key file it is 48 random bytes; the server recognises its own dummies when it merges, so it need
    /// not store which entries are real.
    /// </summary>
    public static void WriteDummy(ReadOnlySpan<byte> dummyKey, long bucketId, IPrivateRandom random, Span<byte> entry)
    {
        random.Fill(entry.Slice(PrivateProtocol.KeycheckSize, PrivateProtocol.EntrySize - PrivateProtocol.KeycheckSize));
        SealDummy(dummyKey, bucketId, entry);
    }

    /// <summary>Turns an entry whose nonce and ciphertext are already random into a dummy (sets its keycheck).</summary>
    public static void SealDummy(ReadOnlySpan<byte> dummyKey, long bucketId, Span<byte> entry) =>
        DummyKeycheck(dummyKey, bucketId, entry.Slice(PrivateProtocol.KeycheckSize, PrivateProtocol.NonceSize), entry);

    /// <summary>True when the entry is a dummy this key wrote for this bucket.</summary>
    [SkipLocalsInit]
    public static bool IsDummy(ReadOnlySpan<byte> dummyKey, long bucketId, ReadOnlySpan<byte> entry)
    {
        Span<byte> expected = stackalloc byte[PrivateProtocol.KeycheckSize];
        DummyKeycheck(dummyKey, bucketId, entry.Slice(PrivateProtocol.KeycheckSize, PrivateProtocol.NonceSize), expected);
        return expected.SequenceEqual(entry[..PrivateProtocol.KeycheckSize]);
    }

    [SkipLocalsInit]
    private static void DummyKeycheck(ReadOnlySpan<byte> dummyKey, long bucketId, ReadOnlySpan<byte> nonce, Span<byte> keycheck)
    {
        Span<byte> input = stackalloc byte[8 + PrivateProtocol.NonceSize];
        BinaryPrimitives.WriteUInt64BigEndian(input, (ulong)bucketId);
        nonce.CopyTo(input[8..]);
        IdentifierHasher.SipHash128(dummyKey, input, keycheck[..PrivateProtocol.KeycheckSize]);
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> other)
    {
        for (var k = 0; k < target.Length; k++)
        {
            target[k] ^= other[k];
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Leakwatch.Privacy;

/// <summary>
/// Keyed 64-bit fingerprints for the enumeration detector's state when replicas share it (in Redis): a lookup's
/// index key, and a phone number's block (the number divided by the detector's largest gap). Keyed by a subkey of
/// the key file (HKDF, info <c>leakwatch/detector/v1</c>), so what the shared store holds reveals nothing about an
/// identifier without the key file, and cannot even be matched against the index files.
/// </summary>
public sealed class DetectorHasher
{
    private readonly byte[] _key;

    public DetectorHasher(KeyFile keys)
    {
        Sodium.EnsureInitialized();
        _key = keys.DeriveSubkey([], "leakwatch/detector/v1"u8, 16);
    }

    /// <summary>Fingerprint of an index key (already a keyed hash of the identifier).</summary>
    [SkipLocalsInit]
    public ulong Lookup(UInt128 indexKey)
    {
        Span<byte> input = stackalloc byte[17];
        input[0] = (byte)'l';
        BinaryPrimitives.WriteUInt128BigEndian(input[1..], indexKey);
        return Hash(input);
    }

    /// <summary>Fingerprint of a block of phone numbers (E.164 digits divided by the block size).</summary>
    [SkipLocalsInit]
    public ulong PhoneBlock(ulong block)
    {
        Span<byte> input = stackalloc byte[9];
        input[0] = (byte)'p';
        BinaryPrimitives.WriteUInt64BigEndian(input[1..], block);
        return Hash(input);
    }

    [SkipLocalsInit]
    private ulong Hash(ReadOnlySpan<byte> input)
    {
        Span<byte> output = stackalloc byte[16];
        IdentifierHasher.SipHash128(_key, input, output);
        return BinaryPrimitives.ReadUInt64BigEndian(output);
    }
}

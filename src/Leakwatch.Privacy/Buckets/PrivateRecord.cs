using System.Buffers.Binary;

namespace Leakwatch.Privacy.Buckets;

/// <summary>An identifier in the merge: its bucket hash and exposure-index key, and where its chain lies in the
/// partition's byte arena. The identifier itself is gone by this point.</summary>
public struct PrivateRecord
{
    public uint BucketHash;
    public ulong KeyHigh;
    public ulong KeyLow;
    public int ChainOffset;
    public int ChainLength;

    public readonly UInt128 Key => new(KeyHigh, KeyLow);

    /// <summary>Serialized (in the OPRF outputs): <c>u32be bucket hash || u64be key high || u64be key low || u16be chain length</c>, then the chain.</summary>
    public const int SerializedHeaderSize = 4 + 8 + 8 + 2;

    public static void WriteHeader(Span<byte> destination, uint bucketHash, UInt128 key, int chainLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, bucketHash);
        BinaryPrimitives.WriteUInt128BigEndian(destination[4..], key);
        BinaryPrimitives.WriteUInt16BigEndian(destination[20..], checked((ushort)chainLength));
    }

    /// <summary>Reads a serialized header; the chain follows it.</summary>
    public static PrivateRecord ReadHeader(ReadOnlySpan<byte> source) => new()
    {
        BucketHash = BinaryPrimitives.ReadUInt32BigEndian(source),
        KeyHigh = BinaryPrimitives.ReadUInt64BigEndian(source[4..]),
        KeyLow = BinaryPrimitives.ReadUInt64BigEndian(source[12..]),
        ChainLength = BinaryPrimitives.ReadUInt16BigEndian(source[20..]),
    };

    /// <summary>Bucket order, then key order: equal keys (the same identifier met twice) end up adjacent.</summary>
    public static int Compare(PrivateRecord a, PrivateRecord b)
    {
        var c = a.BucketHash.CompareTo(b.BucketHash);
        if (c != 0)
        {
            return c;
        }

        c = a.KeyHigh.CompareTo(b.KeyHigh);
        return c != 0 ? c : a.KeyLow.CompareTo(b.KeyLow);
    }
}

using System.Buffers.Binary;

namespace Leakwatch.Privacy.Buckets;

/// <summary>An identifier in the merge: its section, bucket hash and exposure-index key, the global bucket the merge
/// gives it once the layout is known, and where its chain lies in the partition's byte arena. The identifier itself
/// is gone by this point.</summary>
public struct PrivateRecord
{
    public uint BucketHash;
    public ushort Section;
    public ulong KeyHigh;
    public ulong KeyLow;
    public int ChainOffset;
    public int ChainLength;

    /// <summary>Global bucket in the layout being written; set by the merge.</summary>
    public long Bucket;

    public readonly UInt128 Key => new(KeyHigh, KeyLow);

    /// <summary>Serialized (in the OPRF outputs): <c>u32be bucket hash || u16be section || u64be key high || u64be key
    /// low || u16be chain length</c>, then the chain.</summary>
    public const int SerializedHeaderSize = 4 + 2 + 8 + 8 + 2;

    public static void WriteHeader(Span<byte> destination, uint bucketHash, int section, UInt128 key, int chainLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, bucketHash);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], checked((ushort)section));
        BinaryPrimitives.WriteUInt128BigEndian(destination[6..], key);
        BinaryPrimitives.WriteUInt16BigEndian(destination[22..], checked((ushort)chainLength));
    }

    /// <summary>Reads a serialized header; the chain follows it.</summary>
    public static PrivateRecord ReadHeader(ReadOnlySpan<byte> source) => new()
    {
        BucketHash = BinaryPrimitives.ReadUInt32BigEndian(source),
        Section = BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
        KeyHigh = BinaryPrimitives.ReadUInt64BigEndian(source[6..]),
        KeyLow = BinaryPrimitives.ReadUInt64BigEndian(source[14..]),
        ChainLength = BinaryPrimitives.ReadUInt16BigEndian(source[22..]),
    };

    /// <summary>Bucket order, then key order: equal keys (the same identifier met twice) end up adjacent.</summary>
    public static int Compare(PrivateRecord a, PrivateRecord b)
    {
        var c = a.Bucket.CompareTo(b.Bucket);
        if (c != 0)
        {
            return c;
        }

        c = a.KeyHigh.CompareTo(b.KeyHigh);
        return c != 0 ? c : a.KeyLow.CompareTo(b.KeyLow);
    }
}

using System.Buffers.Binary;

namespace Leakwatch.Index;

/// <summary>Keys are 80-bit keyed hashes held in the top bits of a UInt128 (low 48 bits zero).</summary>
public static class IndexKeys
{
    public const int KeyBytes = 10;

    public static void WriteBigEndian(UInt128 key, Span<byte> destination10)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination10, (ulong)(key >> 64));
        BinaryPrimitives.WriteUInt16BigEndian(destination10[8..], (ushort)((ulong)key >> 48));
    }

    public static UInt128 ReadBigEndian(ReadOnlySpan<byte> source10)
    {
        var hi = BinaryPrimitives.ReadUInt64BigEndian(source10);
        var lo = (ulong)BinaryPrimitives.ReadUInt16BigEndian(source10[8..]) << 48;
        return new UInt128(hi, lo);
    }

    /// <summary>Drops any bits below the 80 the index keeps.</summary>
    public static UInt128 Truncate(UInt128 key) => key & new UInt128(ulong.MaxValue, 0xFFFF_0000_0000_0000UL);
}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Ascending unsigned integers as gaps. A block is <c>[count u32][shift u8][low bytes u8][first record]</c>, then per
/// later record its gap to the one before, shifted right by the bits every record has zero (the 48 low bits of an
/// 80-bit index key), written as <c>low bytes</c> fixed bytes (chosen from the mean gap) and the rest as a LEB128
/// varint, which is one byte for nearly every gap. Uniform 80-bit keys, 7 million to a run, take 8 bytes instead of
/// 16; sorted phone numbers about 3 instead of 8. Little-endian machines only, like the raw layout.
/// </summary>
public sealed class SortedIntegerCodec<TRecord> : IRunCodec<TRecord>
    where TRecord : unmanaged, IBinaryInteger<TRecord>, IUnsignedNumber<TRecord>
{
    public static readonly SortedIntegerCodec<TRecord> Instance = new();

    private const int HeaderBytes = 6;

    private static unsafe int Size => sizeof(TRecord);

    /// <summary>A gap is at most Size fixed bytes plus a varint of at most Size * 8 / 7 + 1 bytes; decoding reads
    /// Size bytes at a time, so up to Size bytes past the end.</summary>
    public int MaxEncodedBytes(int count) => HeaderBytes + (2 * Size) + (count * ((2 * Size) + 2));

    public int Encode(ReadOnlySpan<TRecord> sorted, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, sorted.Length);
        if (sorted.IsEmpty)
        {
            destination[4] = 0;
            destination[5] = 0;
            return HeaderBytes;
        }

        var any = TRecord.Zero;
        foreach (var r in sorted)
        {
            any |= r;
        }

        var shift = any == TRecord.Zero ? 0 : int.CreateTruncating(TRecord.TrailingZeroCount(any));
        var first = sorted[0] >> shift;
        var last = sorted[^1] >> shift;
        if (last < first)
        {
            throw new InvalidOperationException("a sorted run must ascend");
        }

        var meanGap = sorted.Length > 1 ? (last - first) / TRecord.CreateTruncating(sorted.Length - 1) : TRecord.Zero;
        var bits = meanGap == TRecord.Zero ? 0 : (Size * 8) - int.CreateTruncating(TRecord.LeadingZeroCount(meanGap));
        var lowBytes = Math.Min(Size, Math.Max(0, bits - 1) / 8);
        destination[4] = (byte)shift;
        destination[5] = (byte)lowBytes;
        var pos = HeaderBytes;
        MemoryMarshal.Write(destination[pos..], in first);
        pos += Size;
        var previous = first;
        for (var i = 1; i < sorted.Length; i++)
        {
            var v = sorted[i] >> shift;
            if (v < previous)
            {
                throw new InvalidOperationException("a sorted run must ascend");
            }

            var gap = v - previous;
            previous = v;
            MemoryMarshal.Write(destination[pos..], in gap);
            pos += lowBytes;
            var high = lowBytes == Size ? TRecord.Zero : gap >> (8 * lowBytes);
            while (high >= TRecord.CreateTruncating(0x80))
            {
                destination[pos++] = (byte)(byte.CreateTruncating(high) | 0x80);
                high >>= 7;
            }

            destination[pos++] = byte.CreateTruncating(high);
        }

        return pos;
    }

    public int Decode(ReadOnlySpan<byte> source, int length, Span<TRecord> destination)
    {
        if (length < HeaderBytes || source.Length < length + Size)
        {
            throw Damaged();
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(source);
        int shift = source[4];
        int lowBytes = source[5];
        if (count < 0 || count > destination.Length || shift >= Size * 8 || lowBytes > Size || (count > 0 && length < HeaderBytes + Size))
        {
            throw Damaged();
        }

        if (count == 0)
        {
            return 0;
        }

        var mask = lowBytes == Size ? TRecord.AllBitsSet : (TRecord.One << (8 * lowBytes)) - TRecord.One;
        var pos = HeaderBytes;
        var previous = MemoryMarshal.Read<TRecord>(source[pos..]);
        pos += Size;
        destination[0] = previous << shift;
        for (var i = 1; i < count; i++)
        {
            if (pos >= length)
            {
                throw Damaged();
            }

            var gap = MemoryMarshal.Read<TRecord>(source[pos..]) & mask;
            pos += lowBytes;
            var high = TRecord.Zero;
            var bit = 8 * lowBytes;
            byte b;
            do
            {
                if (pos >= length)
                {
                    throw Damaged();
                }

                b = source[pos++];
                if (bit < Size * 8)
                {
                    high |= TRecord.CreateTruncating(b & 0x7F) << bit;
                }
                else if ((b & 0x7F) != 0 || bit > (Size * 8) + 7)
                {
                    throw Damaged();
                }

                bit += 7;
            }
            while (b >= 0x80);

            previous += gap | high;
            destination[i] = previous << shift;
        }

        if (pos != length)
        {
            throw Damaged();
        }

        return count;
    }

    private static InvalidDataException Damaged() => new("sorted run block is damaged");
}

using System.Runtime.InteropServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>Records as they lie in memory: for records that are not plain ascending integers.</summary>
public sealed class RawRunCodec<TRecord> : IRunCodec<TRecord>
    where TRecord : unmanaged
{
    public static readonly RawRunCodec<TRecord> Instance = new();

    public unsafe int MaxEncodedBytes(int count) => count * sizeof(TRecord);

    public int Encode(ReadOnlySpan<TRecord> sorted, Span<byte> destination)
    {
        var bytes = MemoryMarshal.AsBytes(sorted);
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    public unsafe int Decode(ReadOnlySpan<byte> source, int length, Span<TRecord> destination)
    {
        if (length % sizeof(TRecord) != 0 || length / sizeof(TRecord) > destination.Length)
        {
            throw new InvalidDataException("sorted run block is damaged");
        }

        source[..length].CopyTo(MemoryMarshal.AsBytes(destination));
        return length / sizeof(TRecord);
    }
}

namespace Leakwatch.Storage.Sorting;

/// <summary>How a run store lays out one block of a sorted run: <see cref="RawRunCodec{TRecord}"/> as the records lie
/// in memory, <see cref="SortedIntegerCodec{TRecord}"/> as gaps between ascending integers (a third of the bytes for
/// keyed hashes, less for phone numbers), which is what keeps a 1.2-billion-row ingest's temp files within the disk.</summary>
public interface IRunCodec<TRecord>
    where TRecord : unmanaged
{
    /// <summary>The most bytes <see cref="Encode"/> writes for <paramref name="count"/> records, plus the slack
    /// <see cref="Decode"/> may read past the end of the encoded block.</summary>
    int MaxEncodedBytes(int count);

    /// <summary>Writes one block (it records its own count); returns the bytes written.</summary>
    int Encode(ReadOnlySpan<TRecord> sorted, Span<byte> destination);

    /// <summary>Reads one block written by <see cref="Encode"/> into <paramref name="destination"/>; returns the count.</summary>
    /// <param name="source">The block, then at least the slack <see cref="MaxEncodedBytes"/> allows for (any content).</param>
    /// <param name="length">The block's length in <paramref name="source"/>.</param>
    int Decode(ReadOnlySpan<byte> source, int length, Span<TRecord> destination);
}

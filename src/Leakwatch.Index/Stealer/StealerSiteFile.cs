using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Leakwatch.Index.Stealer;

/// <summary>
/// One generation of the stealer-log website store: for each email (by its 80-bit index key, never the address) an
/// opaque sealed blob (the website domains, sealed by the caller under a key derived from the key file and that
/// index key). Layout, big-endian: <c>"LWSITES1"</c>; blobs, each <c>[u32 length][bytes]</c>; the key table, sorted
/// by key, each entry <c>[key 10][blob offset u64]</c>; footer <c>[entries u64][table offset u64]"LWSITEND"</c>.
/// The table is binary-searched with positioned reads, so a lookup reads ~log2(n) entries and one blob.
/// </summary>
public sealed class StealerSiteFile : IDisposable
{
    public const int EntryBytes = IndexKeys.KeyBytes + 8;
    public const int FooterBytes = 24;
    public const int MaxBlobBytes = 1 << 20;
    public static ReadOnlySpan<byte> Magic => "LWSITES1"u8;
    public static ReadOnlySpan<byte> EndMagic => "LWSITEND"u8;

    private readonly SafeFileHandle _handle;
    private readonly long _tableOffset;

    private StealerSiteFile(string path, SafeFileHandle handle, long entries, long tableOffset)
    {
        Path = path;
        _handle = handle;
        Entries = entries;
        _tableOffset = tableOffset;
    }

    public string Path { get; }

    public long Entries { get; }

    /// <exception cref="IndexCorruptException">Not a whole file of this format.</exception>
    public static StealerSiteFile Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            var length = RandomAccess.GetLength(handle);
            Span<byte> head = stackalloc byte[8];
            Span<byte> foot = stackalloc byte[FooterBytes];
            if (length < 8 + FooterBytes || RandomAccess.Read(handle, head, 0) != 8 || !head.SequenceEqual(Magic)
                || RandomAccess.Read(handle, foot, length - FooterBytes) != FooterBytes || !foot[16..].SequenceEqual(EndMagic))
            {
                throw new IndexCorruptException($"{path}: not a stealer-log website store (bad header or footer)");
            }

            var entries = BinaryPrimitives.ReadInt64BigEndian(foot);
            var table = BinaryPrimitives.ReadInt64BigEndian(foot[8..]);
            if (entries < 0 || table < 8 || table + (entries * EntryBytes) != length - FooterBytes)
            {
                throw new IndexCorruptException($"{path}: stealer-log website store is truncated");
            }

            return new StealerSiteFile(path, handle, entries, table);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The sealed blob stored for <paramref name="key"/>, or null.</summary>
    public byte[]? Find(UInt128 key)
    {
        key = IndexKeys.Truncate(key);
        Span<byte> entry = stackalloc byte[EntryBytes];
        long lo = 0, hi = Entries - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            ReadEntry(mid, entry);
            var c = IndexKeys.ReadBigEndian(entry).CompareTo(key);
            if (c == 0)
            {
                return ReadBlob(BinaryPrimitives.ReadInt64BigEndian(entry[IndexKeys.KeyBytes..]));
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

        return null;
    }

    /// <summary>Every (key, blob) in key order, for the merge that writes the next generation.</summary>
    public IEnumerable<(UInt128 Key, byte[] Blob)> ReadAll()
    {
        var entry = new byte[EntryBytes];
        for (long i = 0; i < Entries; i++)
        {
            ReadEntry(i, entry);
            yield return (IndexKeys.ReadBigEndian(entry), ReadBlob(BinaryPrimitives.ReadInt64BigEndian(entry.AsSpan(IndexKeys.KeyBytes))));
        }
    }

    private void ReadEntry(long i, Span<byte> entry)
    {
        if (RandomAccess.Read(_handle, entry, _tableOffset + (i * EntryBytes)) != EntryBytes)
        {
            throw new IndexCorruptException($"{Path}: stealer-log website store is truncated");
        }
    }

    private byte[] ReadBlob(long offset)
    {
        Span<byte> length = stackalloc byte[4];
        if (offset < 8 || offset + 4 > _tableOffset || RandomAccess.Read(_handle, length, offset) != 4)
        {
            throw new IndexCorruptException($"{Path}: a stealer-log entry points outside its file");
        }

        var n = BinaryPrimitives.ReadInt32BigEndian(length);
        if (n < 0 || n > MaxBlobBytes || offset + 4 + n > _tableOffset)
        {
            throw new IndexCorruptException($"{Path}: a stealer-log entry has a bad length");
        }

        var blob = new byte[n];
        if (RandomAccess.Read(_handle, blob, offset + 4) != n)
        {
            throw new IndexCorruptException($"{Path}: stealer-log website store is truncated");
        }

        return blob;
    }

    public void Dispose() => _handle.Dispose();
}

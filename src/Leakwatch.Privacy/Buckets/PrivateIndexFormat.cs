using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Leakwatch.Storage;

namespace Leakwatch.Privacy.Buckets;

/// <summary>Constants of the private index file (docs/private-index-format.md).</summary>
public static class PrivateIndexFormat
{
    public static ReadOnlySpan<byte> Magic => "LWPRIV01"u8;
    public const uint Version = 2;
    public const int HeaderSize = 192;
    public const int SectionEntrySize = 8;
    public const int CipherNonceSize = 24;
    public const int KeyCheckSize = 16;

    /// <summary>The header checks <see cref="ReadOnlyMappedFile.OpenValidated"/> makes before the reader reads a field.</summary>
    public static readonly MappedFileFormat Mapped = new(
        "a private index", "private index", "private index", Magic.ToArray(), Version, OffVersion, OffHeaderChecksum,
        HeaderChecksummedBytes, HeaderSize);

    public const int HeaderChecksummedBytes = 184;

    internal const int OffVersion = 8;
    internal const int OffSectionCount = 12;
    internal const int OffBucketEntries = 16;
    internal const int OffEntrySize = 20;
    internal const int OffSalt = 24;
    internal const int OffKeyId = 56;
    internal const int OffGeneration = 64;
    internal const int OffBucketCount = 72;
    internal const int OffEntriesOffset = 80;
    internal const int OffEntriesChecksum = 88;
    internal const int OffCipherNonce = 96;
    internal const int OffKeyCheck = 120;
    internal const int OffSectionsChecksum = 136;
    internal const int OffHeaderChecksum = 184;

    /// <summary>Bytes the key check covers: every header field before it.</summary>
    internal const int KeyCheckedBytes = OffKeyCheck;

    /// <summary>The section table follows the header; the entries start at the next multiple of 64.</summary>
    public static long EntriesOffset(int sections) => (HeaderSize + (long)sections * SectionEntrySize + 63) / 64 * 64;

    public static long FileLength(int sections, long bucketCount, int bucketEntries) =>
        EntriesOffset(sections) + bucketCount * bucketEntries * PrivateProtocol.EntrySize;

    /// <summary>
    /// The version a file at <paramref name="path"/> declares, when it has the private index magic; 0 otherwise.
    /// Read before the validated open, whose header checksum lies elsewhere in older versions.
    /// </summary>
    internal static uint DeclaredVersion(string path)
    {
        Span<byte> head = stackalloc byte[12];
        using var f = File.OpenRead(path);
        return f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head[..8].SequenceEqual(Magic)
            ? BinaryPrimitives.ReadUInt32LittleEndian(head[OffVersion..])
            : 0;
    }

    /// <summary>The one-line refusal of an index written by an older Leakwatch.</summary>
    public static string OutdatedMessage(string path, long version) =>
        $"{path}: private index format {version} is from an older Leakwatch and is not served; rebuild it with `leakwatch private build PATH --breach NAME` for each privately indexed breach";

    /// <summary>XxHash64 of a section table.</summary>
    internal static ulong SectionsChecksum(ReadOnlySpan<byte> table) => XxHash64.HashToUInt64(table);

    /// <summary>HMAC-SHA256 under the at-rest key of the header fields and the section table, truncated to 16 bytes:
    /// a key file whose key did not write the file is refused before anything is decrypted with it.</summary>
    internal static void KeyCheck(ReadOnlySpan<byte> atRestKey, ReadOnlySpan<byte> header, ReadOnlySpan<byte> table, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, atRestKey);
        hmac.AppendData(header[..KeyCheckedBytes]);
        hmac.AppendData(table);
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        mac[..KeyCheckSize].CopyTo(destination);
    }

    internal static void WriteSections(PrivateLayout layout, Span<byte> table)
    {
        for (var i = 0; i < layout.Sections.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(table[(i * SectionEntrySize)..], (uint)layout.Sections[i].Code);
            BinaryPrimitives.WriteUInt32LittleEndian(table[(i * SectionEntrySize + 4)..], (uint)layout.Sections[i].Bits);
        }
    }

    internal static PrivateLayout ReadSections(ReadOnlySpan<byte> table)
    {
        var sections = new (int, int)[table.Length / SectionEntrySize];
        for (var i = 0; i < sections.Length; i++)
        {
            sections[i] = ((int)BinaryPrimitives.ReadUInt32LittleEndian(table[(i * SectionEntrySize)..]),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(table[(i * SectionEntrySize + 4)..]));
        }

        return new PrivateLayout(sections);
    }
}

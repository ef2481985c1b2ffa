using System.Buffers.Binary;
using System.IO.Hashing;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Storage;

namespace Leakwatch.Privacy.Buckets;

/// <summary>Constants of the private index file (docs/private-index-format.md).</summary>
public static class PrivateIndexFormat
{
    public static ReadOnlySpan<byte> Magic => "LWPRIV01"u8;
    public const uint Version = 1;
    public const int HeaderSize = 128;

    /// <summary>The header checks <see cref="ReadOnlyMappedFile.OpenValidated"/> makes before the reader reads a field.</summary>
    public static readonly MappedFileFormat Mapped = new(
        "a private index", "private index", "private index", Magic.ToArray(), Version, OffVersion, OffHeaderChecksum,
        HeaderChecksummedBytes, HeaderSize);

    public const int HeaderChecksummedBytes = 96;

    internal const int OffVersion = 8;
    internal const int OffBucketBits = 12;
    internal const int OffBucketEntries = 16;
    internal const int OffEntrySize = 20;
    internal const int OffSalt = 24;
    internal const int OffKeyId = 56;
    internal const int OffGeneration = 64;
    internal const int OffRealEntries = 72;
    internal const int OffEntriesOffset = 80;
    internal const int OffEntriesChecksum = 88;
    internal const int OffHeaderChecksum = 96;

    public static long FileLength(int bucketBits, int bucketEntries) =>
        HeaderSize + (1L << bucketBits) * bucketEntries * PrivateProtocol.EntrySize;
}

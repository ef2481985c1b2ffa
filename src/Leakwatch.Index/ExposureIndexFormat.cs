using Leakwatch.Core.Errors;
using Leakwatch.Storage;

namespace Leakwatch.Index;

/// <summary>Constants of the exposure index file (see docs/index-format.md).</summary>
internal static class ExposureIndexFormat
{
    public static ReadOnlySpan<byte> Magic => "LWXIDX01"u8;
    public const uint Version = 1;
    public const int HeaderSize = 128;

    /// <summary>The header checks <see cref="ReadOnlyMappedFile.OpenValidated"/> makes before the reader reads a field.</summary>
    public static readonly MappedFileFormat Mapped = new(
        "an index", "index", "index", Magic.ToArray(), Version, OffVersion, OffHeaderChecksum, HeaderChecksummedBytes, HeaderSize);

    public const int HeaderChecksummedBytes = 96;

    // Header field offsets.
    public const int OffVersion = 8;
    public const int OffPrefixBits = 12;
    public const int OffKeyBytes = 16;
    public const int OffSetIdBytes = 20;
    public const int OffEntryCount = 24;
    public const int OffSetCount = 32;
    public const int OffTocOffset = 40;
    public const int OffEntriesOffset = 48;
    public const int OffSetsOffset = 56;
    public const int OffSetsLength = 64;
    public const int OffTocChecksum = 72;
    public const int OffEntriesChecksum = 80;
    public const int OffSetsChecksum = 88;
    public const int OffHeaderChecksum = 96;

    /// <summary>Buckets of about 128 entries keep a lookup within one or two pages.</summary>
    public static int PrefixBitsFor(long entryUpperBound)
    {
        var bits = 8;
        while (bits < 30 && (entryUpperBound >> bits) > 128)
        {
            bits++;
        }

        return bits;
    }

    /// <summary>Bytes of the 80-bit key stored per entry: whole bytes not fully implied by the bucket.</summary>
    public static int KeyBytesFor(int prefixBits) => IndexKeys.KeyBytes - prefixBits / 8;

    public static int SetIdBytesFor(long setCountUpperBound) =>
        setCountUpperBound <= 0xFF ? 1 : setCountUpperBound <= 0xFFFF ? 2 : setCountUpperBound <= 0xFF_FFFF ? 3 : 4;
}

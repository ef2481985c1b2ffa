using Leakwatch.Storage;

namespace Leakwatch.Passwords;

/// <summary>Constants of the password range file (see docs/passwords-format.md).</summary>
internal static class PasswordRangeFormat
{
    public static ReadOnlySpan<byte> Magic => "LWPWRS01"u8;
    public const uint Version = 1;
    public const int HeaderSize = 128;

    /// <summary>The header checks <see cref="ReadOnlyMappedFile.OpenValidated"/> makes; the TOC is read unchecked, so it counts in the minimum length.</summary>
    public static readonly MappedFileFormat Mapped = new(
        "a password range file", "password range file", "password file", Magic.ToArray(), Version, OffVersion, OffHeaderChecksum,
        HeaderChecksummedBytes, HeaderSize + TocBytes);

    public const int HeaderChecksummedBytes = 88;

    /// <summary>Buckets: one per 5-hex (20-bit) prefix.</summary>
    public const int PrefixBits = 20;
    public const int BucketCount = 1 << PrefixBits;
    public const long TocBytes = 8L * (BucketCount + 1);

    /// <summary>Whole leading hash bytes implied by the bucket; byte 2 is stored (its high nibble is the 5th prefix digit).</summary>
    public const int DroppedBytes = 2;
    public const int CountBytes = 4;

    // Header field offsets.
    public const int OffVersion = 8;
    public const int OffMode = 12;
    public const int OffHashBytes = 16;
    public const int OffRecordSize = 20;
    public const int OffRecordCount = 24;
    public const int OffTotalCount = 32;
    public const int OffGeneration = 40;
    public const int OffTocOffset = 48;
    public const int OffRecordsOffset = 56;
    public const int OffTocChecksum = 64;
    public const int OffRecordsChecksum = 72;
    public const int OffSaturated = 80;
    public const int OffHeaderChecksum = 88;

    public static int HashBytes(PasswordHashMode mode) => mode == PasswordHashMode.Sha1 ? 20 : 16;

    public static int RecordSize(PasswordHashMode mode) => HashBytes(mode) - DroppedBytes + CountBytes;

    /// <summary>Hex digits of a range line's suffix: 35 for SHA-1, 27 for NTLM.</summary>
    public static int SuffixHexDigits(PasswordHashMode mode) => 2 * HashBytes(mode) - 5;

    public static uint ModeCode(PasswordHashMode mode) => mode == PasswordHashMode.Sha1 ? 1u : 2u;

    public static string ModeName(PasswordHashMode mode) => mode == PasswordHashMode.Sha1 ? "sha1" : "ntlm";
}

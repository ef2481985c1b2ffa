using Leakwatch.Storage;

namespace Leakwatch.Passwords;

/// <summary>The two hash kinds Pwned Passwords serves.</summary>
public enum PasswordHashMode
{
    Sha1,
    Ntlm,
}

/// <summary>What an ingest input holds: HIBP corpus lines of one hash kind, or plaintext passwords.</summary>
public enum PasswordInputMode
{
    /// <summary>HASH:COUNT lines; SHA-1 or NTLM chosen from the first line's hash length (40 or 32 hex).</summary>
    Auto,
    Sha1,
    Ntlm,
    /// <summary>One password per line, count 1 per occurrence; both SHA-1 (UTF-8) and NTLM (MD4 of UTF-16LE) are stored.</summary>
    Plain,
}

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

/// <summary>Upper-case hex encoding and decoding through lookup tables.</summary>
internal static class Hex
{
    /// <summary>Both ASCII digits of a byte, packed little-endian (first digit in the low byte).</summary>
    public static readonly ushort[] Pairs = BuildPairs();

    public static ReadOnlySpan<byte> Digits => "0123456789ABCDEF"u8;

    private static ushort[] BuildPairs()
    {
        var t = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            t[i] = (ushort)(Digits[i >> 4] | (Digits[i & 15] << 8));
        }

        return t;
    }

    /// <summary>Value of a hex digit (either case), or -1.</summary>
    public static int Value(int c)
    {
        var d = (uint)(c - '0');
        if (d <= 9)
        {
            return (int)d;
        }

        var l = (uint)((c | 0x20) - 'a');
        return l <= 5 ? (int)l + 10 : -1;
    }

    /// <summary>Decodes exactly 2 × destination.Length hex digits; false on any non-hex byte.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> hex, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var hi = Value(hex[2 * i]);
            var lo = Value(hex[2 * i + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }
}

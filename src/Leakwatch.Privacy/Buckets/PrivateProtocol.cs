using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// Constants and the identifier-side functions of protocol <c>leakwatch/private/v1</c> (docs/private-lookup.md):
/// the OPRF input of an identifier (§1) and its bucket (§2). Ingest, the builder, the server and the reference
/// client all call these, so there is one definition of what is evaluated and where it is filed.
/// </summary>
public static class PrivateProtocol
{
    /// <summary>Config version: 2 added per-section bucket bits (emails, and one section per calling code). The
    /// derivation labels keep their <c>leakwatch/private/v1/…</c> strings.</summary>
    public const int Version = 2;
    public const int EntrySize = 48;
    public const int KeycheckSize = 16;
    public const int NonceSize = 8;
    public const int PayloadSize = 24;
    public const int IdsPerEntry = 11;
    /// <summary>Entries are numbered by one byte, so an identifier has at most 256 (2,816 breaches).</summary>
    public const int MaxEntriesPerIdentifier = 256;
    public const int SaltSize = 32;
    public const int MaxBucketBits = 24;
    /// <summary>Possible valid numbers of its calling code every phone bucket must hide among (privacy.md).</summary>
    public const long MinPhoneCrowd = 10_000;
    /// <summary>Real entries a bucket should hold when bucketBits is chosen.</summary>
    public const int TargetOccupancy = 512;
    /// <summary>bucketEntries is a multiple of this.</summary>
    public const int BucketEntriesMultiple = 16;
    /// <summary>Breach ids are u16 in an entry; 0 marks an unused slot.</summary>
    public const int MaxBreachId = ushort.MaxValue;

    private const string EmailPrefix = "email:";
    private const string PhonePrefix = "phone:+";

    /// <summary>Longest OPRF input: "email:" and a 320-char normalized address (ASCII, but sized for UTF-8).</summary>
    public const int MaxInputLength = 6 + 4 * Leakwatch.Core.EmailNormalizer.MaxLength;

    private static ReadOnlySpan<byte> BucketLabel => "leakwatch/private/v1/bucket\0"u8;

    /// <summary>x = "email:" + the canonical email (EmailNormalizer's output), UTF-8. Returns the length written.</summary>
    public static int WriteEmailInput(ReadOnlySpan<char> canonicalEmail, Span<byte> destination)
    {
        Encoding.ASCII.GetBytes(EmailPrefix, destination);
        return EmailPrefix.Length + Encoding.UTF8.GetBytes(canonicalEmail, destination[EmailPrefix.Length..]);
    }

    /// <summary>x = "phone:+" + the E.164 digits, UTF-8. Returns the length written.</summary>
    public static int WritePhoneInput(ulong e164Digits, Span<byte> destination)
    {
        Encoding.ASCII.GetBytes(PhonePrefix, destination);
        if (!e164Digits.TryFormat(destination[PhonePrefix.Length..], out var n, default, CultureInfo.InvariantCulture))
        {
            throw new ArgumentException("destination too short", nameof(destination));
        }

        return PhonePrefix.Length + n;
    }

    /// <summary>The first 32 bits (big-endian) of SHA-256("leakwatch/private/v1/bucket" || 0x00 || x); a bucket
    /// for any bucketBits ≤ 24 is its top bits (<see cref="BucketOf"/>).</summary>
    [SkipLocalsInit]
    public static uint BucketHash(ReadOnlySpan<byte> input)
    {
        Span<byte> hash = stackalloc byte[32];
        if (input.Length <= MaxInputLength)
        {
            Span<byte> buffer = stackalloc byte[BucketLabel.Length + MaxInputLength];
            BucketLabel.CopyTo(buffer);
            input.CopyTo(buffer[BucketLabel.Length..]);
            SHA256.HashData(buffer[..(BucketLabel.Length + input.Length)], hash);
        }
        else
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(BucketLabel);
            sha.AppendData(input);
            sha.GetHashAndReset(hash);
        }

        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>The first <paramref name="bucketBits"/> bits of the bucket hash; 0 when bucketBits is 0.</summary>
    public static int BucketOf(uint bucketHash, int bucketBits) => bucketBits == 0 ? 0 : (int)(bucketHash >> (32 - bucketBits));

    public static int Bucket(ReadOnlySpan<byte> input, int bucketBits) => BucketOf(BucketHash(input), bucketBits);

    /// <summary>round(log2(max(N,1) / 512)) clamped to [0, 24]: about 512 real entries a bucket.</summary>
    public static int BucketBitsFor(long identifiers)
    {
        var bits = Math.Round(Math.Log2(Math.Max(identifiers, 1) / (double)TargetOccupancy), MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(bits, 0, MaxBucketBits);
    }

    /// <summary>The section of an OPRF input: 0 for an email, else the phone's country calling code.</summary>
    public static int SectionOf(ReadOnlySpan<byte> input)
    {
        if (!input.StartsWith("phone:+"u8))
        {
            return 0;
        }

        return System.Buffers.Text.Utf8Parser.TryParse(input[PhonePrefix.Length..], out ulong e164, out var used) && used == input.Length - PhonePrefix.Length
            ? Leakwatch.Core.PhoneNormalizer.CountryCodeOf(e164)
            : throw new ArgumentException("not a phone OPRF input", nameof(input));
    }

    /// <summary>
    /// The most bucket bits a section may have: 24 for emails; for a calling code, floor(log2(plan / 10,000)) where
    /// plan is its count of valid numbers (<see cref="Leakwatch.Core.NumberingPlans"/>), so every bucket holds at least
    /// 10,000 possible numbers; 0 for a plan smaller than that (its one bucket is the whole plan); -1 for an unknown code.
    /// </summary>
    public static int MaxSectionBits(int section)
    {
        if (section == 0)
        {
            return MaxBucketBits;
        }

        var plan = Leakwatch.Core.NumberingPlans.PossibleNumbers(section);
        if (plan <= 0)
        {
            return -1;
        }

        var bits = 0;
        while (bits < MaxBucketBits && plan >> (bits + 1) >= MinPhoneCrowd)
        {
            bits++;
        }

        return bits;
    }

    /// <summary>The bits a new section gets: about 512 identifiers a bucket, never above the section's bound.</summary>
    public static int SectionBitsFor(int section, long identifiers) => Math.Min(BucketBitsFor(identifiers), MaxSectionBits(section));

    /// <summary>ceil(n / 11), at least 1.</summary>
    public static int EntriesFor(int breachCount) => Math.Max(1, (breachCount + IdsPerEntry - 1) / IdsPerEntry);

    /// <summary>The smallest valid bucketEntries holding <paramref name="fullest"/> entries: a multiple of 16, at least 16.</summary>
    public static int BucketEntriesFor(int fullest) =>
        Math.Max(BucketEntriesMultiple, (fullest + BucketEntriesMultiple - 1) / BucketEntriesMultiple * BucketEntriesMultiple);
}

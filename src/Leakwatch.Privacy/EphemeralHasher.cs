using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Leakwatch.Privacy;

/// <summary>
/// Fingerprints whole rows for exact-duplicate detection with a key that lives only in memory for one run.
/// The row is first condensed with XXH128 (fast, unkeyed, never stored), and that digest is then passed
/// through keyed SipHash: what reaches the sorter, and so any spilled temp file, is a keyed PRF output.
/// </summary>
public sealed class EphemeralHasher
{
    private readonly byte[] _key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);

    public EphemeralHasher() => Sodium.EnsureInitialized();

    /// <summary>The unkeyed digest of a row: cheap, computed on the reader thread, kept only in memory.</summary>
    public static UInt128 Digest(ReadOnlySpan<char> row) =>
        System.IO.Hashing.XxHash128.HashToUInt128(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row));

    /// <summary>The keyed fingerprint of a row digest.</summary>
    [SkipLocalsInit]
    public UInt128 Fingerprint(UInt128 digest)
    {
        Span<byte> input = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(input, digest);
        Span<byte> output = stackalloc byte[16];
        IdentifierHasher.SipHash128(_key, input, output);
        return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(output), BinaryPrimitives.ReadUInt64LittleEndian(output[8..]));
    }
}

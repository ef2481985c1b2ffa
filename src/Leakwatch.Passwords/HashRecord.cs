using System.Buffers.Binary;

namespace Leakwatch.Passwords;

/// <summary>
/// A hash (up to 20 bytes, compared as a big-endian number) and its count. NTLM hashes use only <see cref="Hi"/>.
/// </summary>
internal struct HashRecord : IComparable<HashRecord>, IEquatable<HashRecord>
{
    /// <summary>Hash bytes 0–15, big-endian.</summary>
    public UInt128 Hi;

    /// <summary>Hash bytes 16–19, big-endian (SHA-1 only; zero for NTLM).</summary>
    public uint Lo;

    public ulong Count;

    public readonly int Bucket => (int)(Hi >> (128 - PasswordRangeFormat.PrefixBits));

    public static HashRecord FromHash(ReadOnlySpan<byte> hash, ulong count)
    {
        var r = new HashRecord { Hi = BinaryPrimitives.ReadUInt128BigEndian(hash), Count = count };
        if (hash.Length == 20)
        {
            r.Lo = BinaryPrimitives.ReadUInt32BigEndian(hash[16..]);
        }

        return r;
    }

    public readonly void WriteHash(Span<byte> destination, int hashBytes)
    {
        BinaryPrimitives.WriteUInt128BigEndian(destination, Hi);
        if (hashBytes == 20)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[16..], Lo);
        }
    }

    public readonly bool SameHash(in HashRecord other) => Hi == other.Hi && Lo == other.Lo;

    public readonly int CompareTo(HashRecord other)
    {
        var c = Hi.CompareTo(other.Hi);
        return c != 0 ? c : Lo.CompareTo(other.Lo);
    }

    // Ordered by hash alone (the merge adds the counts of equal hashes); equal only as a whole record, count
    // included, as the struct's default equality was.
    public readonly bool Equals(HashRecord other) => Hi == other.Hi && Lo == other.Lo && Count == other.Count;

    public override readonly bool Equals(object? obj) => obj is HashRecord other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Hi, Lo, Count);

    public static bool operator ==(HashRecord left, HashRecord right) => left.Equals(right);

    public static bool operator !=(HashRecord left, HashRecord right) => !left.Equals(right);

    public static bool operator <(HashRecord left, HashRecord right) => left.CompareTo(right) < 0;

    public static bool operator <=(HashRecord left, HashRecord right) => left.CompareTo(right) <= 0;

    public static bool operator >(HashRecord left, HashRecord right) => left.CompareTo(right) > 0;

    public static bool operator >=(HashRecord left, HashRecord right) => left.CompareTo(right) >= 0;
}

using System.Runtime.InteropServices;

namespace Leakwatch.Ingest.Domains;

/// <summary>One buffered (domain, alias) pair, 24 bytes and free of references: the alias's first 16 bytes
/// big-endian (zero-padded, <see cref="Prefix"/> then <see cref="Prefix2"/>) so that nearly every comparison ends on
/// integers without reading the arena (8 bytes were not enough: aliases share their first 8 bytes by the hundred,
/// "firstname.lastname" under one surname), the domain's id in its buffer (its tag is the buffer's to look up: a
/// tag in every entry cost 8 bytes of fresh memory a row) and the alias's offset in the buffer's byte arena.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct DomainAliasEntry(ulong Prefix, ulong Prefix2, int Domain, int Offset)
{
    /// <summary>The two prefix words of an alias (bytes 0-7 and 8-15, big-endian, zero-padded).</summary>
    public static (ulong First, ulong Second) PrefixOf(ReadOnlySpan<byte> alias)
    {
        Span<byte> prefix = stackalloc byte[16];
        prefix.Clear();
        alias[..Math.Min(16, alias.Length)].CopyTo(prefix);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(prefix), System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(prefix[8..]));
    }
}

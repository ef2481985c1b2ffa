using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Leakwatch.Ingest.Domains;

/// <summary>One buffered (domain, alias) pair, 32 bytes and free of references: the alias's first 24 bytes
/// big-endian and zero-padded (<see cref="Prefix"/>, <see cref="Prefix2"/>, <see cref="Prefix3"/>), the domain's
/// id in its buffer (its tag is the buffer's to look up: a tag in every entry cost 8 bytes of fresh memory a row)
/// and where the rest of the alias is. An alias of at most <see cref="InlineBytes"/> bytes (nine in ten of a
/// generated dump's, more of a real one's) lies wholly in its entry, and <see cref="Offset"/> holds its length as
/// <c>~length</c>; a longer one is also written whole to the buffer's byte arena, at <see cref="Offset"/>. So the
/// sort compares integers, and the merge, which reads the entries in sorted order, reads no alias from the arena,
/// where sorted order is random order. The layout before (16 prefix bytes in a 24-byte entry, every alias in the
/// arena) took ~45 bytes a row against ~35, and the sort and merge after the read 30% longer (DomainStoreBenchmarks).
/// 8 prefix bytes were not enough: aliases share their first 8 bytes by the hundred ("firstname.lastname").</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct DomainAliasEntry(ulong Prefix, ulong Prefix2, ulong Prefix3, int Domain, int Offset)
{
    /// <summary>The longest alias kept in its entry alone.</summary>
    public const int InlineBytes = 24;

    /// <summary>True when the alias lies wholly in the entry.</summary>
    public bool IsInline => Offset < 0;

    /// <summary>An inline alias's length in bytes.</summary>
    public int InlineLength => ~Offset;

    /// <summary>The entry of an alias given as its first <see cref="InlineBytes"/> bytes, zero-padded.</summary>
    /// <param name="offset">The arena offset of a longer alias, or <c>~length</c> of an inline one.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DomainAliasEntry FromPadded(ReadOnlySpan<byte> padded, int domain, int offset) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(padded), BinaryPrimitives.ReadUInt64BigEndian(padded[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(padded[16..]), domain, offset);

    /// <summary>The three prefix words of an alias (bytes 0-7, 8-15 and 16-23, big-endian, zero-padded).</summary>
    public static (ulong First, ulong Second, ulong Third) PrefixOf(ReadOnlySpan<byte> alias)
    {
        Span<byte> prefix = stackalloc byte[InlineBytes];
        prefix.Clear();
        alias[..Math.Min(InlineBytes, alias.Length)].CopyTo(prefix);
        var e = FromPadded(prefix, 0, 0);
        return (e.Prefix, e.Prefix2, e.Prefix3);
    }

    /// <summary>An inline alias's bytes, written to <paramref name="scratch"/> (at least <see cref="InlineBytes"/> long).</summary>
    public ReadOnlySpan<byte> InlineAlias(Span<byte> scratch)
    {
        BinaryPrimitives.WriteUInt64BigEndian(scratch, Prefix);
        BinaryPrimitives.WriteUInt64BigEndian(scratch[8..], Prefix2);
        BinaryPrimitives.WriteUInt64BigEndian(scratch[16..], Prefix3);
        return scratch[..InlineLength];
    }
}

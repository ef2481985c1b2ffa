namespace Leakwatch.Ingest.Domains;

/// <summary>One sorted source of the domain store's delta, read record by record in run order (tag, domain bytes,
/// alias bytes): a sealed run spilled during the read (<see cref="DomainRunCursor"/>) or a collector's last buffer,
/// sorted where it lies (<see cref="DomainBufferCursor"/>).</summary>
internal abstract class DomainCursor : IDisposable
{
    public ulong Tag { get; protected set; }

    /// <summary>The alias's first 16 bytes big-endian, zero-padded (<see cref="DomainAliasEntry.PrefixOf"/>): nearly
    /// every comparison in the merge ends on them.</summary>
    protected ulong Prefix { get; set; }

    protected ulong Prefix2 { get; set; }

    public abstract ReadOnlySpan<byte> Domain { get; }

    public abstract ReadOnlySpan<byte> Alias { get; }

    public abstract bool MoveNext();

    /// <summary>Tag, then alias bytes. The domain is not compared: two domains under one 64-bit tag (expected
    /// never) may interleave in the merged stream, and <see cref="DomainStoreMerge"/>, which checks each record's
    /// domain, keeps the first one's aliases and drops the other's, as it did when they came one after the other.</summary>
    public static int Compare(DomainCursor a, DomainCursor b)
    {
        if (a.Tag != b.Tag)
        {
            return a.Tag < b.Tag ? -1 : 1;
        }

        if (a.Prefix != b.Prefix)
        {
            return a.Prefix < b.Prefix ? -1 : 1;
        }

        if (a.Prefix2 != b.Prefix2)
        {
            return a.Prefix2 < b.Prefix2 ? -1 : 1;
        }

        return a.Alias.SequenceCompareTo(b.Alias);
    }

    public virtual void Dispose()
    {
    }
}

namespace Leakwatch.Ingest.Domains;

/// <summary>Reads a collector's last buffer, sorted in memory (<see cref="DomainAliasBuffer.SortInPlace"/>): the
/// entries point into the buffer's arena, so no record is copied, sealed or written to reach the merge.</summary>
internal sealed class DomainBufferCursor(DomainAliasBuffer buffer) : DomainCursor
{
    /// <summary>How many entries ahead an alias is prefetched (<see cref="DomainAliasBuffer.Prefetch"/>).</summary>
    private const int PrefetchDistance = 16;

    private int _next;
    private int _domain;
    private int _offset;

    public override ReadOnlySpan<byte> Domain => buffer.DomainBytes(_domain);

    public override ReadOnlySpan<byte> Alias => buffer.Alias(_offset);

    public override bool MoveNext()
    {
        if (_next == buffer.Count)
        {
            return false;
        }

        if (_next + PrefetchDistance < buffer.Count)
        {
            buffer.Prefetch(buffer.Entry(_next + PrefetchDistance).Offset);
        }

        ref readonly var e = ref buffer.Entry(_next++);
        Tag = buffer.DomainTag(e.Domain);
        Prefix = e.Prefix;
        Prefix2 = e.Prefix2;
        _domain = e.Domain;
        _offset = e.Offset;
        return true;
    }
}

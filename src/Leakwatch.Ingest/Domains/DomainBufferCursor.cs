namespace Leakwatch.Ingest.Domains;

/// <summary>Reads a collector's last buffer, sorted in memory (<see cref="DomainAliasBuffer.SortInPlace"/>): nothing
/// is sealed, written or read back to reach the merge, and an alias that lies in its entry (most do,
/// <see cref="DomainAliasEntry.InlineBytes"/>) is read from the entry, in order, not from the arena.</summary>
internal sealed class DomainBufferCursor(DomainAliasBuffer buffer) : DomainCursor
{
    /// <summary>How many entries ahead a long alias is prefetched from the arena (<see cref="DomainAliasBuffer.Prefetch"/>).</summary>
    private const int PrefetchDistance = 16;

    private readonly byte[] _scratch = new byte[DomainAliasEntry.InlineBytes];
    private int _next;
    private int _domain;
    private int _entry = -1;

    public override ReadOnlySpan<byte> Domain => buffer.DomainBytes(_domain);

    public override ReadOnlySpan<byte> Alias => buffer.Alias(buffer.Entry(_entry), _scratch);

    public override bool MoveNext()
    {
        if (_next == buffer.Count)
        {
            return false;
        }

        if (_next + PrefetchDistance < buffer.Count && buffer.Entry(_next + PrefetchDistance) is { IsInline: false } ahead)
        {
            buffer.Prefetch(ahead.Offset);
        }

        _entry = _next++;
        ref readonly var e = ref buffer.Entry(_entry);
        Tag = buffer.DomainTag(e.Domain);
        Prefix = e.Prefix;
        Prefix2 = e.Prefix2;
        _domain = e.Domain;
        return true;
    }

    /// <summary>The scratch held the last inline alias in clear.</summary>
    public override void Dispose()
    {
        Array.Clear(_scratch);
        base.Dispose();
    }
}

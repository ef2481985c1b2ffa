namespace Leakwatch.Ingest.Domains;

/// <summary>This ingest's (tag, domain, alias) records from every worker's spilled runs and last buffer, merged into one ascending stream
/// (duplicates across runs are left for the consumer, which drops repeats as it pages).</summary>
internal sealed class DomainDelta : IDisposable
{
    private readonly List<DomainCursor> _cursors = [];
    private readonly PriorityQueue<DomainCursor, DomainCursor> _queue =
        new(Comparer<DomainCursor>.Create(DomainCursor.Compare));
    private DomainCursor? _current;

    public DomainDelta(IEnumerable<DomainAliasCollector> collectors)
    {
        foreach (var c in collectors)
        {
            foreach (var run in c.Runs)
            {
                Add(new DomainRunCursor(run));
            }

            if (c.Resident is { } buffer)
            {
                Add(new DomainBufferCursor(buffer));
            }
        }
    }

    private void Add(DomainCursor cursor)
    {
        _cursors.Add(cursor);
        if (cursor.MoveNext())
        {
            _queue.Enqueue(cursor, cursor);
        }
    }

    public ulong Tag => _current!.Tag;

    public ReadOnlySpan<byte> Domain => _current!.Domain;

    public ReadOnlySpan<byte> Alias => _current!.Alias;

    public bool MoveNext()
    {
        if (_current is not null && _current.MoveNext())
        {
            _queue.Enqueue(_current, _current);
        }

        return _queue.TryDequeue(out _current, out _);
    }

    public void Dispose()
    {
        foreach (var c in _cursors)
        {
            c.Dispose();
        }
    }
}

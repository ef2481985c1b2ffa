namespace Leakwatch.Ingest.Domains;

/// <summary>This ingest's (tag, domain, alias) records from every worker's runs, merged into one ascending stream
/// (duplicates across runs are left for the consumer, which drops repeats as it pages).</summary>
internal sealed class DomainDelta : IDisposable
{
    private readonly List<DomainRunCursor> _cursors = [];
    private readonly PriorityQueue<DomainRunCursor, DomainRunCursor> _queue =
        new(Comparer<DomainRunCursor>.Create(DomainRunCursor.Compare));
    private DomainRunCursor? _current;

    public DomainDelta(IEnumerable<DomainAliasCollector> collectors)
    {
        foreach (var c in collectors)
        {
            foreach (var run in c.Runs)
            {
                var cursor = new DomainRunCursor(run);
                _cursors.Add(cursor);
                if (cursor.MoveNext())
                {
                    _queue.Enqueue(cursor, cursor);
                }
            }
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

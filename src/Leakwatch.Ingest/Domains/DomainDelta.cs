namespace Leakwatch.Ingest.Domains;

/// <summary>This ingest's (tag, domain, alias) records from every worker's spilled runs and last buffer, merged
/// into one ascending stream (duplicates across sources are left for the consumer, which drops repeats as it
/// pages). A few sources (a dump that fits in memory: one last buffer per worker) are merged by scanning their
/// heads, two or three comparisons a record; many (a large dump's spilled runs) through a priority queue.</summary>
internal sealed class DomainDelta : IDisposable
{
    /// <summary>Up to this many sources a linear scan of the heads beats the queue's bookkeeping.</summary>
    private const int MaxScanned = 8;

    private readonly List<DomainCursor> _cursors = [];
    private readonly List<DomainCursor> _active = [];
    private readonly PriorityQueue<DomainCursor, DomainCursor> _queue =
        new(Comparer<DomainCursor>.Create(DomainCursor.Compare));
    private readonly bool _scan;
    private DomainCursor? _current;

    public DomainDelta(IEnumerable<DomainAliasCollector> collectors)
    {
        foreach (var c in collectors)
        {
            foreach (var run in c.Runs)
            {
                _cursors.Add(new DomainRunCursor(run));
            }

            if (c.Resident is { } buffer)
            {
                _cursors.Add(new DomainBufferCursor(buffer));
            }
        }

        _scan = _cursors.Count <= MaxScanned;
        foreach (var cursor in _cursors)
        {
            if (!cursor.MoveNext())
            {
                continue;
            }

            if (_scan)
            {
                _active.Add(cursor);
            }
            else
            {
                _queue.Enqueue(cursor, cursor);
            }
        }
    }

    public ulong Tag => _current!.Tag;

    public ReadOnlySpan<byte> Domain => _current!.Domain;

    public ReadOnlySpan<byte> Alias => _current!.Alias;

    public bool MoveNext()
    {
        if (!_scan)
        {
            if (_current is not null && _current.MoveNext())
            {
                _queue.Enqueue(_current, _current);
            }

            return _queue.TryDequeue(out _current, out _);
        }

        if (_current is not null && !_current.MoveNext())
        {
            _active.Remove(_current);
        }

        if (_active.Count == 0)
        {
            _current = null;
            return false;
        }

        var best = _active[0];
        for (var i = 1; i < _active.Count; i++)
        {
            if (DomainCursor.Compare(_active[i], best) < 0)
            {
                best = _active[i];
            }
        }

        _current = best;
        return true;
    }

    public void Dispose()
    {
        foreach (var c in _cursors)
        {
            c.Dispose();
        }
    }
}

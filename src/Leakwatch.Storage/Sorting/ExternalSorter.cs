using System.Buffers;
using System.Runtime.CompilerServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Sorts an unbounded stream of records within a fixed number of records in memory: the buffer grows by doubling
/// up to <c>maxRecords</c> (small inputs never take the whole budget); a full buffer is sorted, records of equal
/// key are combined, and the result is spilled as one run to the <see cref="IRunStore{TRecord}"/>.
/// <see cref="Merge()"/> then streams the combined union of the runs and the in-memory remainder.
/// One sorter belongs to one thread; several can be merged together or absorbed into one.
/// Disposing removes every run the sorter still owns.
/// </summary>
public class ExternalSorter<TRecord, TOrder> : IDisposable
    where TRecord : unmanaged
    where TOrder : struct, IRecordOrder<TRecord>
{
    private readonly IRunStore<TRecord> _store;
    private readonly int _maxRecords;
    private readonly bool _compactBeforeSpill;
    private readonly List<ISpilledRun<TRecord>> _runs = [];
    private TRecord[] _buffer;
    private int _limit;
    private int _count;
    private bool _sorted;

    /// <param name="store">Where spilled runs go.</param>
    /// <param name="maxRecords">The most records held in memory: the memory budget.</param>
    /// <param name="initialRecords">The first buffer's size, doubled as needed up to <paramref name="maxRecords"/>.</param>
    /// <param name="compactBeforeSpill">When a full buffer combines down to half or less, keep it in memory instead of
    /// spilling: worth it for inputs with heavy repetition, a wasted sort for inputs without.</param>
    public ExternalSorter(IRunStore<TRecord> store, int maxRecords, int initialRecords, bool compactBeforeSpill = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        _store = store;
        _maxRecords = maxRecords;
        _compactBeforeSpill = compactBeforeSpill;
        _buffer = Allocate(Math.Clamp(initialRecords, 1, maxRecords));
        _limit = Math.Min(_buffer.Length, maxRecords);
    }

    /// <summary>Records added, duplicates included, counting those absorbed from other sorters.</summary>
    public long Added { get; private set; }

    /// <summary>Runs spilled to the store, counting those absorbed from other sorters and those already merged.</summary>
    public int SpilledRuns { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(in TRecord record)
    {
        if (_count == _limit)
        {
            MakeRoom();
        }

        _buffer[_count++] = record;
        _sorted = false;
        Added++;
    }

    /// <summary>Adds several records at once: one copy per buffer's worth instead of a check per record.</summary>
    public void Add(ReadOnlySpan<TRecord> records)
    {
        while (!records.IsEmpty)
        {
            if (_count == _limit)
            {
                MakeRoom();
            }

            var n = Math.Min(records.Length, _limit - _count);
            records[..n].CopyTo(_buffer.AsSpan(_count));
            _count += n;
            Added += n;
            _sorted = false;
            records = records[n..];
        }
    }

    /// <summary>Grows the buffer at once to hold <paramref name="records"/> (at most the memory budget), when the
    /// caller knows roughly how many will come: the doublings' copies and their freshly touched pages are skipped.
    /// Pages of the buffer that are never filled are never touched.</summary>
    public void Reserve(long records)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var wanted = (int)Math.Min(_maxRecords, records);
        if (wanted > _limit)
        {
            var grown = Allocate(wanted);
            _buffer.AsSpan(0, _count).CopyTo(grown);
            _buffer = grown;
            _limit = wanted;
        }
    }

    /// <summary>Sorts and combines the buffered records in place; returns how many remain. Cheap when already done.</summary>
    public int SortBuffer()
    {
        if (!_sorted)
        {
            _count = SortCombined(_buffer.AsSpan(0, _count));
            _sorted = true;
        }

        return _count;
    }

    /// <summary>Sorts the buffers of several sorters in parallel, ahead of <see cref="Merge(IReadOnlyList{ExternalSorter{TRecord, TOrder}})"/>.</summary>
    public static void SortBuffers(IReadOnlyList<ExternalSorter<TRecord, TOrder>> sorters) =>
        Parallel.ForEach(sorters, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, s => s.SortBuffer());

    /// <summary>Takes over everything <paramref name="other"/> holds, which is left empty.</summary>
    public void Absorb(ExternalSorter<TRecord, TOrder> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            return;
        }

        _runs.AddRange(other._runs);
        other._runs.Clear();
        SpilledRuns += other.SpilledRuns;
        other.SpilledRuns = 0;
        var added = Added + other.Added;
        for (var i = 0; i < other._count; i++)
        {
            Add(in other._buffer[i]);
        }

        Added = added;
        other._count = 0;
        other.Added = 0;
    }

    /// <summary>Streams everything added, sorted and combined. See <see cref="Merge(IReadOnlyList{ExternalSorter{TRecord, TOrder}})"/>.</summary>
    public SortedMergeCursor<TRecord, TOrder> Merge() => Merge([this]);

    /// <summary>
    /// Streams the sorted, combined union of everything added to these sorters. Disposing the cursor removes the
    /// spilled runs at once (the sorters' Dispose would too). The cursor reads the in-memory remainders in place, so
    /// the sorters must outlive it and take no more records. Call once, after the last <see cref="Add"/>.
    /// Past <see cref="MaxFanIn"/> sources, the oldest runs are first merged into one run (as often as needed), so the
    /// merge holds at most <see cref="MaxFanIn"/> runs' blocks and file handles however many runs were spilled.
    /// </summary>
    public static SortedMergeCursor<TRecord, TOrder> Merge(IReadOnlyList<ExternalSorter<TRecord, TOrder>> sorters)
    {
        ArgumentNullException.ThrowIfNull(sorters);
        var memory = new List<ArraySegment<TRecord>>(sorters.Count);
        var pending = new List<ISpilledRun<TRecord>>();
        foreach (var s in sorters)
        {
            pending.AddRange(s._runs);
            var n = s.SortBuffer();
            if (n > 0)
            {
                memory.Add(new ArraySegment<TRecord>(s._buffer, 0, n));
            }
        }

        if (sorters.Count > 0)
        {
            var fanIn = Math.Max(2, sorters[0].MaxFanIn - memory.Count);
            while (pending.Count > fanIn)
            {
                // Merging k runs into one leaves k - 1 fewer: never more than needed, never more than the fan-in.
                pending = MergeOldest(sorters[0], pending, Math.Min(sorters[0].MaxFanIn, pending.Count - fanIn + 1));
            }
        }

        var readers = new List<IRunReader<TRecord>>(pending.Count);
        try
        {
            foreach (var run in pending)
            {
                readers.Add(run.OpenReader());
            }
        }
        catch
        {
            // The runs stay with their sorters, whose Dispose removes them.
            foreach (var r in readers)
            {
                r.Dispose();
            }

            throw;
        }

        // The sorters keep their runs too: should the caller fail before it disposes the cursor, disposing the
        // sorters still removes them. Removing a run twice is harmless.
        var runs = new List<ISpilledRun<TRecord>>(readers.Count);
        foreach (var s in sorters)
        {
            runs.AddRange(s._runs);
        }

        return new SortedMergeCursor<TRecord, TOrder>(memory, readers, runs);
    }

    /// <summary>The most sources one merge reads at once (runs plus in-memory remainders): each open run holds a file
    /// handle and a block or two of records. 256 covers a 1.2-billion-row ingest at the default <c>--memory</c> in one pass.</summary>
    public int MaxFanIn
    {
        get;
        set => field = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), "a merge needs at least two sources");
    } = 256;

    /// <summary>Merges the oldest <paramref name="fanIn"/> runs into one new run owned by <paramref name="owner"/>
    /// (their files are removed once read); returns the runs left, the new one last.</summary>
    private static List<ISpilledRun<TRecord>> MergeOldest(ExternalSorter<TRecord, TOrder> owner, List<ISpilledRun<TRecord>> runs, int fanIn)
    {
        var group = runs.GetRange(0, fanIn);
        var readers = new List<IRunReader<TRecord>>(group.Count);
        ISpilledRun<TRecord> merged;
        try
        {
            foreach (var run in group)
            {
                readers.Add(run.OpenReader());
            }
        }
        catch
        {
            foreach (var r in readers)
            {
                r.Dispose();
            }

            throw;
        }

        using (var cursor = new SortedMergeCursor<TRecord, TOrder>([], readers, group))
        using (var writer = owner._store.Create())
        {
            var chunk = ArrayPool<TRecord>.Shared.Rent(4096);
            try
            {
                var n = 0;
                while (cursor.TryNext(out var record))
                {
                    chunk[n++] = record;
                    if (n == chunk.Length)
                    {
                        writer.Write(chunk);
                        n = 0;
                    }
                }

                writer.Write(chunk.AsSpan(0, n));
            }
            finally
            {
                ArrayPool<TRecord>.Shared.Return(chunk, clearArray: true);
            }

            merged = writer.Complete();
        }

        owner._runs.Add(merged);
        var left = runs.GetRange(fanIn, runs.Count - fanIn);
        left.Add(merged);
        return left;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        try
        {
            foreach (var run in _runs)
            {
                run.Dispose();
            }
        }
        finally
        {
            _runs.Clear();
            _buffer = [];
            _limit = 0;
            _count = 0;
        }
    }

    /// <summary>Sorts, then folds each run of equal keys into its first record; returns the records left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SortCombined(Span<TRecord> records)
    {
        TOrder.Sort(records);
        var kept = 0;
        for (var i = 0; i < records.Length; i++)
        {
            if (kept > 0 && TOrder.SameKey(in records[kept - 1], in records[i]))
            {
                TOrder.Combine(ref records[kept - 1], in records[i]);
            }
            else
            {
                records[kept++] = records[i];
            }
        }

        return kept;
    }

    private void MakeRoom()
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (_limit < _maxRecords)
        {
            var grown = Allocate((int)Math.Min(_maxRecords, 2L * _limit));
            _buffer.AsSpan(0, _count).CopyTo(grown);
            _buffer = grown;
            _limit = Math.Min(grown.Length, _maxRecords);
            return;
        }

        var n = SortBuffer();
        if (_compactBeforeSpill && n <= _maxRecords / 2)
        {
            return;
        }

        _runs.Add(_store.Write(_buffer.AsSpan(0, n)));
        SpilledRuns++;
        _count = 0;
    }

    // Not from the shared pool: it keeps what is returned to it, and every size a buffer doubles through (64K to 4M
    // records, ~128 MB for one sorter of 16-byte keys) would stay there beside the full buffer, for each of the nine
    // sorters of a two-worker ingest: about 1.1 GB of peak RSS at the default --memory that no sort used. A buffer
    // left behind here is garbage the next collection takes back.
    private static TRecord[] Allocate(int records) => LargeBuffers.Allocate<TRecord>(records);

}

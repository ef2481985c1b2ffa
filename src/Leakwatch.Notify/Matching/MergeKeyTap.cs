using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Leakwatch.Index;

namespace Leakwatch.Notify.Matching;

/// <summary>
/// Matching on publish inside the ingest's merge, so that it costs the ingest next to nothing: the merge already walks
/// the new breach's keys in ascending order, and its thread is the only busy one while it runs. The tap starts a
/// thread that reads the watchers (<see cref="NotificationMatcher.TakeSnapshot"/>) on the idle core while the merge
/// begins, and hands it the merge's new keys in chunks; once the watchers are read, that thread joins the chunks
/// against them (one linear merge of two ascending lists). The merge thread only copies each key into a chunk, and
/// stops even that as soon as it is known that nobody watches. With an <see cref="AheadWriter"/>, the tap's thread also
/// writes the hits' outbox rows as it finds them (in batches of <see cref="AheadWriter.Batch"/>), invisible to delivery
/// until the catch-up after the publish moves the progress marker.
/// <para>Memory is bounded: at most <see cref="MaxChunksInFlight"/> chunks wait (32 MB); a merge that outruns a slow
/// read (a remote PostgreSQL) waits for it rather than buffering the breach.</para>
/// <para>Whatever goes wrong on the tap's thread (the state store unreachable) is kept, not thrown into the merge: the
/// ingest goes on, and matching after the publish falls back to its own pass (<see cref="NotificationMatcher.CatchUp(DateTimeOffset, CancellationToken)"/>).</para>
/// </summary>
public sealed class MergeKeyTap : IMergeObserver, IDisposable
{
    private const int ChunkKeys = 65_536;
    private const int MaxChunksInFlight = 32;

    private readonly BlockingCollection<(UInt128[] Keys, int Count)> _chunks = new(MaxChunksInFlight);
    private readonly Func<WatcherSnapshot> _load;
    private readonly AheadWriter? _ahead;
    private readonly Thread _thread;
    private readonly List<int> _hits = [];
    private UInt128[] _chunk = ArrayPool<UInt128>.Shared.Rent(ChunkKeys);
    private int _count;
    private volatile bool _nobodyWatches;
    private WatcherSnapshot? _snapshot;
    private Exception? _failure;
    private double _joinSeconds;
    private double _aheadSeconds;
    private int _written;
    private int _inserted;
    private bool _finished;
    private bool _aheadFailed;

    /// <param name="load">Reads the watchers; runs on the tap's own thread.</param>
    /// <param name="ahead">Writes the hits' rows during the merge; null leaves them all to the catch-up.</param>
    public MergeKeyTap(Func<WatcherSnapshot> load, AheadWriter? ahead = null)
    {
        _load = load;
        _ahead = ahead;
        _thread = new Thread(Consume) { IsBackground = true, Name = "leakwatch-match-tap" };
        _thread.Start();
    }

    public void OnKey(UInt128 key, byte keyClass, ReadOnlySpan<int> existingBreaches)
    {
        if (_nobodyWatches)
        {
            return;
        }

        _chunk[_count++] = key;
        if (_count == ChunkKeys)
        {
            Hand();
        }
    }

    /// <summary>After the merge has seen its last key: waits for the join and returns what it found, or null when the
    /// watchers could not be read (<see cref="Failure"/> says why).</summary>
    public PreparedMatch? Finish()
    {
        if (!_finished)
        {
            _finished = true;
            if (_count > 0 && !_nobodyWatches)
            {
                Hand();
            }

            _chunks.CompleteAdding();
            _thread.Join();
        }

        return _failure is null && _snapshot is not null ? new PreparedMatch(_snapshot, _hits, _joinSeconds)
        {
            Written = _written,
            Inserted = _inserted,
            AheadSeconds = _aheadSeconds,
        }
        : null;
    }

    /// <summary>Why <see cref="Finish"/> returned null.</summary>
    public Exception? Failure => _failure;

    /// <summary>A merge that failed or was cancelled: stops the thread and returns the chunks.</summary>
    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            _nobodyWatches = true;
            _chunks.CompleteAdding();
            _thread.Join();
        }

        ArrayPool<UInt128>.Shared.Return(_chunk);
        _chunks.Dispose();
    }

    private void Hand()
    {
        _chunks.Add((_chunk, _count));
        _chunk = ArrayPool<UInt128>.Shared.Rent(ChunkKeys);
        _count = 0;
    }

    private void Consume()
    {
        Watcher[]? watchers = null;
        try
        {
            _snapshot = _load();
            watchers = _snapshot.Array;
            _nobodyWatches = watchers.Length == 0;
        }
        catch (Exception e)
        {
            // Kept for the ingest's report; the thread goes on draining so the merge never blocks on a full queue.
            _failure = e;
            _nobodyWatches = true;
        }

        var clock = new Stopwatch();
        var w = 0;
        foreach (var (keys, count) in _chunks.GetConsumingEnumerable())
        {
            if (!_nobodyWatches && watchers is not null)
            {
                clock.Start();
                w = Join(watchers, w, keys.AsSpan(0, count), _hits);
                clock.Stop();
                if (_hits.Count - _written >= AheadWriter.Batch)
                {
                    WriteAhead(watchers);
                }
            }

            ArrayPool<UInt128>.Shared.Return(keys);
        }

        _joinSeconds = clock.Elapsed.TotalSeconds;
        if (!_nobodyWatches && watchers is not null && _hits.Count > _written)
        {
            WriteAhead(watchers);
        }
    }

    /// <summary>The rows of the hits not written yet. A failed write stops writing ahead, and nothing else: the hits
    /// from <see cref="_written"/> on are the catch-up's to insert, and what a failed batch may have left is either
    /// completed by it (ON CONFLICT on the dedupe key) or swept with an unpublished breach.</summary>
    private void WriteAhead(Watcher[] watchers)
    {
        if (_ahead is null || _aheadFailed)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var count = _hits.Count - _written;
            _inserted += _ahead.Write(watchers, _hits, _written, count, DateTimeOffset.UtcNow);
            _written += count;
        }
        catch (Exception e) when (e is IOException or System.Data.Common.DbException or Leakwatch.Core.Errors.LeakwatchException)
        {
            _aheadFailed = true;
        }

        _aheadSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>One step of the linear merge: the watchers from <paramref name="from"/> on against ascending, distinct
    /// <paramref name="keys"/>; returns where the next chunk resumes.</summary>
    internal static int Join(Watcher[] watchers, int from, ReadOnlySpan<UInt128> keys, List<int> hits)
    {
        var w = from;
        foreach (var key in keys)
        {
            while (w < watchers.Length && watchers[w].Key < key)
            {
                w++;
            }

            if (w == watchers.Length)
            {
                break;
            }

            for (var i = w; i < watchers.Length && watchers[i].Key == key; i++)
            {
                hits.Add(i);
            }
        }

        return w;
    }
}

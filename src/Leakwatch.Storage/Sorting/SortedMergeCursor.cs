using System.Runtime.CompilerServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// K-way merge of sorted, internally combined sources (spilled runs and in-memory remainders) through a loser tree:
/// log2(k) comparisons per record, each inlined from <typeparamref name="TOrder"/>. Records of equal key from
/// different sources are combined into one. Disposing closes the readers and removes the runs.
/// </summary>
public sealed class SortedMergeCursor<TRecord, TOrder> : IDisposable
    where TRecord : unmanaged
    where TOrder : struct, IRecordOrder<TRecord>
{
    private readonly Source[] _sources;
    private readonly TRecord[] _heads;
    private readonly bool[] _exhausted;

    // _tree[0] is the source holding the smallest head; _tree[1..k-1] are the losers of the inner matches.
    // Source i plays from leaf k + i; node n's children are 2n and 2n + 1.
    private readonly int[] _tree;
    private readonly List<ISpilledRun<TRecord>> _runs;
    private bool _started;
    private bool _disposed;
    private TRecord _current;

    internal SortedMergeCursor(List<ArraySegment<TRecord>> memory, List<IRunReader<TRecord>> readers, List<ISpilledRun<TRecord>> runs)
    {
        _runs = runs;
        var k = memory.Count + readers.Count;
        _sources = new Source[k];
        _heads = new TRecord[k];
        _exhausted = new bool[k];
        _tree = new int[Math.Max(1, k)];
        for (var i = 0; i < memory.Count; i++)
        {
            _sources[i] = new Source { Block = memory[i].Array!, Position = memory[i].Offset - 1, End = memory[i].Offset + memory[i].Count };
        }

        for (var i = 0; i < readers.Count; i++)
        {
            _sources[memory.Count + i] = new Source { Block = [], Reader = readers[i] };
        }
    }

    /// <summary>Sources merged at once: spilled runs plus in-memory remainders.</summary>
    public int Sources => _sources.Length;

    /// <summary>Records returned so far (each key once).</summary>
    public long Count { get; private set; }

    /// <summary>The record the last successful <see cref="MoveNext"/> returned.</summary>
    public TRecord Current => _current;

    public bool MoveNext() => TryNext(out _current);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryNext(out TRecord record)
    {
        if (!_started)
        {
            Start();
        }

        var winner = _tree[0];
        if (_sources.Length == 0 || _exhausted[winner])
        {
            record = default;
            return false;
        }

        record = _heads[winner];
        Advance(winner);
        while (true)
        {
            winner = _tree[0];
            if (_exhausted[winner] || !TOrder.SameKey(in _heads[winner], in record))
            {
                break;
            }

            TOrder.Combine(ref record, in _heads[winner]);
            Advance(winner);
        }

        Count++;
        return true;
    }

    /// <summary>Reads to the end; returns <see cref="Count"/>.</summary>
    public long Drain()
    {
        while (TryNext(out _))
        {
        }

        return Count;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            foreach (var s in _sources)
            {
                s.Reader?.Dispose();
            }
        }
        finally
        {
            foreach (var run in _runs)
            {
                run.Dispose();
            }

            _runs.Clear();
        }
    }

    private void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _started = true;
        for (var i = 0; i < _sources.Length; i++)
        {
            Step(i);
        }

        if (_sources.Length > 0)
        {
            _tree[0] = _sources.Length == 1 ? 0 : Play(1);
        }
    }

    /// <summary>Plays the matches below <paramref name="node"/>, storing each loser; returns the winner.</summary>
    private int Play(int node)
    {
        var k = _sources.Length;
        if (node >= k)
        {
            return node - k;
        }

        var left = Play(2 * node);
        var right = Play((2 * node) + 1);
        if (Beats(right, left))
        {
            _tree[node] = left;
            return right;
        }

        _tree[node] = right;
        return left;
    }

    /// <summary>Moves <paramref name="source"/> to its next record and replays its path to the root.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Advance(int source)
    {
        Step(source);
        var winner = source;
        for (var node = (source + _sources.Length) >> 1; node > 0; node >>= 1)
        {
            var challenger = _tree[node];
            if (Beats(challenger, winner))
            {
                _tree[node] = winner;
                winner = challenger;
            }
        }

        _tree[0] = winner;
    }

    private bool Beats(int a, int b) => !_exhausted[a] && (_exhausted[b] || TOrder.Precedes(in _heads[a], in _heads[b]));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(int i)
    {
        ref var s = ref _sources[i];
        if (++s.Position < s.End)
        {
            _heads[i] = s.Block[s.Position];
            return;
        }

        var block = s.Reader?.ReadBlock() ?? default;
        if (block.Count == 0)
        {
            _exhausted[i] = true;
            return;
        }

        s.Block = block.Array!;
        s.Position = block.Offset;
        s.End = block.Offset + block.Count;
        _heads[i] = s.Block[s.Position];
    }

    private struct Source
    {
        public TRecord[] Block;
        public int Position;
        public int End;
        public IRunReader<TRecord>? Reader;
    }
}

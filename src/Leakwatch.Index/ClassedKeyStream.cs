using Leakwatch.Storage.Sorting;

namespace Leakwatch.Index;

/// <summary>Merges two disjoint sorted key streams (e.g. emails and phones) into one.</summary>
public sealed class ClassedKeyStream : IKeyStream
{
    private readonly SortedMergeCursor<UInt128, KeyOrder>[] _cursors;
    private readonly byte[] _classes;
    private readonly UInt128[] _heads;
    private readonly bool[] _has;

    public ClassedKeyStream(IReadOnlyList<(SortedMergeCursor<UInt128, KeyOrder> Cursor, byte KeyClass)> streams)
    {
        _cursors = new SortedMergeCursor<UInt128, KeyOrder>[streams.Count];
        _classes = new byte[streams.Count];
        _heads = new UInt128[streams.Count];
        _has = new bool[streams.Count];
        for (var i = 0; i < streams.Count; i++)
        {
            _cursors[i] = streams[i].Cursor;
            _classes[i] = streams[i].KeyClass;
            _has[i] = _cursors[i].TryNext(out _heads[i]);
        }
    }

    public bool TryNext(out UInt128 key, out byte keyClass)
    {
        var best = -1;
        for (var i = 0; i < _cursors.Length; i++)
        {
            if (_has[i] && (best < 0 || _heads[i] < _heads[best]))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            key = default;
            keyClass = 0;
            return false;
        }

        key = _heads[best];
        keyClass = _classes[best];
        _has[best] = _cursors[best].TryNext(out _heads[best]);
        if (_emitted && key == _last)
        {
            // An 80-bit collision across classes: keep the key once.
            return TryNext(out key, out keyClass);
        }

        _emitted = true;
        _last = key;
        return true;
    }

    private bool _emitted;
    private UInt128 _last;
}

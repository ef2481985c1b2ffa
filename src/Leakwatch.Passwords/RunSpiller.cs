using Leakwatch.Index;
using Leakwatch.Storage;
using System.Buffers.Binary;

namespace Leakwatch.Passwords;

/// <summary>
/// Bounded-memory external sort of (hash, count) records: records collect in a buffer of at most
/// <c>maxRecords</c>; a full buffer is sorted, duplicate hashes are summed, and the run is spilled to a
/// temp file. The last partial buffer stays in memory as one more sorted run.
/// </summary>
internal sealed class RunSpiller : IDisposable
{
    private readonly string _tempDir;
    private readonly string _name;
    private readonly int _hashBytes;
    private readonly int _maxRecords;
    private readonly List<string> _runs = [];
    private HashRecord[] _buffer;
    private int _count;

    public RunSpiller(string tempDir, string name, PasswordHashMode mode, long maxBytes)
    {
        _tempDir = tempDir;
        _name = name;
        _hashBytes = PasswordFormat.HashBytes(mode);
        _maxRecords = (int)Math.Clamp(maxBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<HashRecord>(), 16, 1 << 27);
        _buffer = new HashRecord[Math.Min(_maxRecords, 1 << 16)];
    }

    public int SpilledRuns => _runs.Count;

    public long Added { get; private set; }

    public void Add(in HashRecord r)
    {
        if (_count == _buffer.Length)
        {
            if (_buffer.Length < _maxRecords)
            {
                Array.Resize(ref _buffer, (int)Math.Min(_maxRecords, 2L * _buffer.Length));
            }
            else
            {
                Spill();
            }
        }

        _buffer[_count++] = r;
        Added++;
    }

    /// <summary>Sorts and sums duplicates in place; returns the distinct count.</summary>
    private int SortAndCoalesce()
    {
        var span = _buffer.AsSpan(0, _count);
        span.Sort();
        var w = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (w > 0 && span[w - 1].SameHash(span[i]))
            {
                span[w - 1].Count = Counts.Add(span[w - 1].Count, span[i].Count);
            }
            else
            {
                span[w++] = span[i];
            }
        }

        return w;
    }

    private void Spill()
    {
        var n = SortAndCoalesce();
        Directory.CreateDirectory(_tempDir);
        var path = Path.Combine(_tempDir, $"{_name}-{_runs.Count:D5}-{Guid.NewGuid():N}.run");
        _runs.Add(path);
        var recSize = _hashBytes + 8;
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        var block = new byte[recSize * 4096];
        var pos = 0;
        for (var i = 0; i < n; i++)
        {
            if (pos == block.Length)
            {
                fs.Write(block);
                pos = 0;
            }

            _buffer[i].WriteHash(block.AsSpan(pos), _hashBytes);
            BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(pos + _hashBytes), _buffer[i].Count);
            pos += recSize;
        }

        fs.Write(block.AsSpan(0, pos));
        _count = 0;
    }

    /// <summary>The sorted runs: spilled files plus the in-memory remainder. The spiller must outlive them.</summary>
    public List<IRecordSource> Finish()
    {
        var sources = new List<IRecordSource>();
        foreach (var run in _runs)
        {
            sources.Add(new RunFileSource(run, _hashBytes));
        }

        if (_count > 0)
        {
            sources.Add(new MemorySource(_buffer, SortAndCoalesce()));
        }

        return sources;
    }

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            FileSync.TryDelete(run);
        }

        _buffer = [];
    }

    private sealed class MemorySource(HashRecord[] records, int count) : IRecordSource
    {
        private int _i = -1;

        public HashRecord Current => records[_i];

        public bool MoveNext() => ++_i < count;

        public void Dispose()
        {
        }
    }

    private sealed class RunFileSource : IRecordSource
    {
        private readonly FileStream _fs;
        private readonly int _hashBytes;
        private readonly int _recSize;
        private readonly byte[] _block;
        private int _pos;
        private int _len;

        public RunFileSource(string path, int hashBytes)
        {
            _fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            _hashBytes = hashBytes;
            _recSize = hashBytes + 8;
            _block = new byte[_recSize * 8192];
        }

        public HashRecord Current { get; private set; }

        public bool MoveNext()
        {
            if (_pos == _len)
            {
                _len = _fs.ReadAtLeast(_block, _block.Length, throwOnEndOfStream: false);
                _pos = 0;
                if (_len == 0)
                {
                    return false;
                }

                if (_len % _recSize != 0)
                {
                    throw new IOException($"{_fs.Name}: sorted run is truncated");
                }
            }

            var rec = _block.AsSpan(_pos, _recSize);
            Current = HashRecord.FromHash(rec[.._hashBytes], BinaryPrimitives.ReadUInt64LittleEndian(rec[_hashBytes..]));
            _pos += _recSize;
            return true;
        }

        public void Dispose() => _fs.Dispose();
    }
}

/// <summary>K-way merge of sorted sources; equal hashes from different sources are summed into one record.</summary>
internal sealed class MergingSource : IRecordSource
{
    private readonly List<IRecordSource> _sources;
    private readonly PriorityQueue<int, HashRecord> _heap = new();

    public MergingSource(List<IRecordSource> sources)
    {
        _sources = sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i].MoveNext())
            {
                _heap.Enqueue(i, sources[i].Current);
            }
        }
    }

    public HashRecord Current { get; private set; }

    public bool MoveNext()
    {
        if (!_heap.TryDequeue(out var i, out var r))
        {
            return false;
        }

        Advance(i);
        while (_heap.TryPeek(out var j, out var next) && next.SameHash(r))
        {
            _heap.Dequeue();
            r.Count = Counts.Add(r.Count, next.Count);
            Advance(j);
        }

        Current = r;
        return true;
    }

    private void Advance(int i)
    {
        if (_sources[i].MoveNext())
        {
            _heap.Enqueue(i, _sources[i].Current);
        }
    }

    public void Dispose()
    {
        foreach (var s in _sources)
        {
            s.Dispose();
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;

namespace Leakwatch.Index;

/// <summary>
/// Sorts and de-duplicates an unbounded stream of 128-bit values with bounded memory: a fixed buffer is
/// sorted and spilled to a run file whenever it fills; <see cref="Merge"/> then streams the union of all runs.
/// Used for identifier keys (class by class) and for row fingerprints (exact-duplicate rows).
/// One sorter belongs to one thread; several sorters can be merged together.
/// </summary>
public sealed class ExternalSorter : IDisposable
{
    private readonly string _tempDir;
    private readonly string _name;
    private UInt128[] _buffer;
    private readonly int _capacity;
    private int _count;
    private readonly List<string> _runs = [];
    private static int s_runCounter;

    public ExternalSorter(string tempDir, string name, int bufferCapacity)
    {
        _tempDir = tempDir;
        _name = name;
        _capacity = Math.Max(1024, bufferCapacity);
        // Grows by doubling up to the capacity, so small dumps never touch the whole budget.
        _buffer = new UInt128[Math.Min(_capacity, 64 * 1024)];
    }

    /// <summary>Values added, duplicates included.</summary>
    public long Added { get; private set; }

    public IReadOnlyList<string> Runs => _runs;

    public void Add(UInt128 value)
    {
        if (_count == _buffer.Length)
        {
            if (_buffer.Length < _capacity)
            {
                Array.Resize(ref _buffer, (int)Math.Min(_capacity, 2L * _buffer.Length));
            }
            else
            {
                Spill();
            }
        }

        _buffer[_count++] = value;
        _sorted = false;
        Added++;
    }

    /// <summary>Sorts and de-duplicates the buffered values in place, returning the unique count.</summary>
    internal int SortUniqueBuffer()
    {
        if (!_sorted)
        {
            _count = KeySort.SortUnique(_buffer.AsSpan(0, _count));
            _sorted = true;
        }

        return _count;
    }

    private bool _sorted;

    /// <summary>Sorts the in-memory remainders of several sorters in parallel, ahead of <see cref="Merge(IReadOnlyList{ExternalSorter})"/>.</summary>
    public static void SortBuffers(IReadOnlyList<ExternalSorter> sorters) =>
        Parallel.ForEach(sorters, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, s => s.SortUniqueBuffer());

    private void Spill()
    {
        var n = SortUniqueBuffer();
        Directory.CreateDirectory(_tempDir);
        var path = Path.Combine(_tempDir, $"{_name}-{Environment.ProcessId}-{Interlocked.Increment(ref s_runCounter):D6}.run");
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var bytes = ArrayPool<byte>.Shared.Rent(16 * 4096);
            try
            {
                var pos = 0;
                for (var i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt128BigEndian(bytes.AsSpan(pos, 16), _buffer[i]);
                    pos += 16;
                    if (pos == 16 * 4096)
                    {
                        fs.Write(bytes, 0, pos);
                        pos = 0;
                    }
                }

                fs.Write(bytes, 0, pos);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        _runs.Add(path);
        _count = 0;
    }

    /// <summary>Streams the sorted union, without duplicates, of everything added to these sorters.</summary>
    public static SortedMergeCursor Merge(IReadOnlyList<ExternalSorter> sorters)
    {
        var sources = new List<ISortedSource>();
        foreach (var s in sorters)
        {
            foreach (var run in s._runs)
            {
                sources.Add(new RunFileSource(run));
            }

            var n = s.SortUniqueBuffer();
            if (n > 0)
            {
                sources.Add(new MemorySource(s._buffer, n));
            }
        }

        return new SortedMergeCursor(sources);
    }

    public static SortedMergeCursor Merge(ExternalSorter sorter) => Merge([sorter]);

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            try
            {
                File.Delete(run);
            }
            catch (IOException)
            {
                // Temp runs are also swept at the next ingest; a failed delete is not worth failing for.
            }
        }

        _runs.Clear();
        _buffer = [];
    }
}

internal interface ISortedSource : IDisposable
{
    bool TryRead(out UInt128 value);
}

internal sealed class MemorySource(UInt128[] values, int count) : ISortedSource
{
    private int _pos;

    public bool TryRead(out UInt128 value)
    {
        if (_pos < count)
        {
            value = values[_pos++];
            return true;
        }

        value = default;
        return false;
    }

    public void Dispose() { }
}

internal sealed class RunFileSource : ISortedSource
{
    private readonly FileStream _stream;
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 8192);
    private int _pos;
    private int _len;

    public RunFileSource(string path)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    }

    public bool TryRead(out UInt128 value)
    {
        if (_pos + 16 > _len)
        {
            var rest = _len - _pos;
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, rest);
            _len = rest + _stream.ReadAtLeast(_buffer.AsSpan(rest, 16 * 8192 - rest), 16 * 8192 - rest, throwOnEndOfStream: false);
            _pos = 0;
            if (_len < 16)
            {
                value = default;
                return false;
            }
        }

        value = BinaryPrimitives.ReadUInt128BigEndian(_buffer.AsSpan(_pos, 16));
        _pos += 16;
        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}

/// <summary>K-way merge of sorted sources with duplicates removed.</summary>
public sealed class SortedMergeCursor : IDisposable
{
    private readonly ISortedSource[] _sources;
    private readonly PriorityQueue<int, UInt128> _heap = new();
    private bool _hasLast;
    private UInt128 _last;

    internal SortedMergeCursor(List<ISortedSource> sources)
    {
        _sources = [.. sources];
        for (var i = 0; i < _sources.Length; i++)
        {
            if (_sources[i].TryRead(out var v))
            {
                _heap.Enqueue(i, v);
            }
        }
    }

    /// <summary>Unique values returned so far.</summary>
    public long Count { get; private set; }

    public bool TryNext(out UInt128 value)
    {
        while (_heap.TryDequeue(out var src, out var v))
        {
            if (_sources[src].TryRead(out var next))
            {
                _heap.Enqueue(src, next);
            }

            if (_hasLast && v == _last)
            {
                continue;
            }

            _hasLast = true;
            _last = v;
            Count++;
            value = v;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Reads to the end, returning the number of unique values.</summary>
    public long Drain()
    {
        while (TryNext(out _))
        {
        }

        return Count;
    }

    public void Dispose()
    {
        foreach (var s in _sources)
        {
            s.Dispose();
        }
    }
}

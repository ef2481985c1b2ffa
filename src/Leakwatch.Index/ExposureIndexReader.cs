using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Leakwatch.Storage;

namespace Leakwatch.Index;

/// <summary>
/// Memory-mapped, read-only view of an exposure index file. Thread-safe; a lookup reads the bucket's
/// two TOC slots and binary-searches one small contiguous range of entries (one seek on a cold cache).
/// </summary>
public sealed unsafe class ExposureIndexReader : IDisposable
{
    private readonly ReadOnlyMappedFile _file;
    private readonly byte* _base;
    private readonly long _length;
    private readonly int _prefixBits;
    private readonly int _keyBytes;
    private readonly int _setIdBytes;
    private readonly int _entrySize;
    private readonly long _tocOffset;
    private readonly long _entriesOffset;
    private readonly long _setsOffset;
    private readonly long _setsLength;
    private readonly int[][] _sets;

    private ExposureIndexReader(string path)
    {
        Path = path;
        _file = ReadOnlyMappedFile.OpenValidated(path, ExposureIndexFormat.Mapped, message => new IndexCorruptException(message));
        _length = _file.Length;
        _base = _file.Base;
        try
        {
            var header = new ReadOnlySpan<byte>(_base, ExposureIndexFormat.HeaderSize);
            _prefixBits = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[ExposureIndexFormat.OffPrefixBits..]);
            _keyBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[ExposureIndexFormat.OffKeyBytes..]);
            _setIdBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[ExposureIndexFormat.OffSetIdBytes..]);
            _entrySize = _keyBytes + _setIdBytes;
            EntryCount = BinaryPrimitives.ReadInt64LittleEndian(header[ExposureIndexFormat.OffEntryCount..]);
            var setCount = BinaryPrimitives.ReadInt64LittleEndian(header[ExposureIndexFormat.OffSetCount..]);
            _tocOffset = BinaryPrimitives.ReadInt64LittleEndian(header[ExposureIndexFormat.OffTocOffset..]);
            _entriesOffset = BinaryPrimitives.ReadInt64LittleEndian(header[ExposureIndexFormat.OffEntriesOffset..]);
            _setsOffset = BinaryPrimitives.ReadInt64LittleEndian(header[ExposureIndexFormat.OffSetsOffset..]);
            _setsLength = BinaryPrimitives.ReadInt64LittleEndian(header[ExposureIndexFormat.OffSetsLength..]);
            if (_prefixBits is < 1 or > 30 || _keyBytes != ExposureIndexFormat.KeyBytesFor(_prefixBits) || _setIdBytes is < 1 or > 4
                || _entriesOffset != _tocOffset + 8L * ((1L << _prefixBits) + 1)
                || _setsOffset != _entriesOffset + EntryCount * _entrySize
                || _setsOffset + _setsLength != _length
                || setCount < 0 || 8L * (setCount + 1) > _setsLength)
            {
                throw new IndexCorruptException($"{path}: header fields are inconsistent with the file size");
            }

            _sets = ReadSets(setCount);
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public long EntryCount { get; }

    public long FileLength => _length;

    public int SetCount => _sets.Length;

    public IReadOnlyList<int[]> Sets => _sets;

    public static ExposureIndexReader Open(string path)
    {
        try
        {
            return new ExposureIndexReader(path);
        }
        catch (IOException e)
        {
            throw new IndexCorruptException($"{path}: cannot open index: {e.Message}");
        }
    }

    private int[][] ReadSets(long setCount)
    {
        var sets = new int[setCount][];
        var offsets = new ReadOnlySpan<byte>(_base + _setsOffset, (int)Math.Min(int.MaxValue, 8 * (setCount + 1)));
        var dataStart = _setsOffset + 8 * (setCount + 1);
        for (var i = 0; i < setCount; i++)
        {
            var from = BinaryPrimitives.ReadInt64LittleEndian(offsets[(8 * i)..]);
            var to = BinaryPrimitives.ReadInt64LittleEndian(offsets[(8 * (i + 1))..]);
            if (from < 0 || to < from || dataStart + to > _length || (to - from) % 4 != 0)
            {
                throw new IndexCorruptException($"{Path}: breach set {i} is out of bounds");
            }

            var ids = new int[(to - from) / 4];
            for (var j = 0; j < ids.Length; j++)
            {
                ids[j] = BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(_base + dataStart + from + 4 * j, 4));
            }

            sets[i] = ids;
        }

        return sets;
    }

    /// <summary>The breach ids holding this key (ascending), or an empty array.</summary>
    public int[] Lookup(UInt128 key)
    {
        var set = FindSetId(key);
        return set < 0 ? [] : _sets[set];
    }

    /// <summary>Set id of the key's entry, or -1.</summary>
    /// <remarks>The stored key bytes (up to 10 of them) compare as one big-endian integer of their first 8 bytes and
    /// the one or two bytes after them: a load and a compare per probe instead of a span comparison. Reading 8 bytes from an
    /// entry may run into the next entry or the breach-set table that follows the entries (always at least 8 bytes),
    /// and the shift drops those bytes.
    /// <para>Keys are keyed hashes, spread evenly over a bucket, so the first probe is where the key's bits below the
    /// prefix say it should be (interpolation), and the search gallops from there to bracket it before bisecting: a
    /// bucket holds ~128 entries over ~20 cache lines, and a bisection from the middle missed the cache on most of
    /// its 7 probes, where the key is usually within a line or two of its guess (bulk checks spent a fifth of their
    /// time here).</para></remarks>
    public int FindSetId(UInt128 key)
    {
        var bucket = (long)(ulong)(key >> (128 - _prefixBits));
        var toc = (long*)(_base + _tocOffset);
        var lo = toc[bucket];
        var hi = toc[bucket + 1] - 1;
        if (lo > hi)
        {
            return -1;
        }

        Span<byte> full = stackalloc byte[IndexKeys.KeyBytes + 8];
        full.Clear();
        IndexKeys.WriteBigEndian(key, full);
        var want = full[(IndexKeys.KeyBytes - _keyBytes)..];
        var shift = _keyBytes >= 8 ? 0 : 8 * (8 - _keyBytes);
        var wantHead = BinaryPrimitives.ReadUInt64BigEndian(want) >> shift;
        var wantTail = Tail(want);

        var guess = Guess(key, lo, hi);
        var c = Compare(guess, wantHead, wantTail, shift);
        if (c == 0)
        {
            return ReadSetId(new ReadOnlySpan<byte>(_base + _entriesOffset + guess * _entrySize, _entrySize));
        }

        var hit = Gallop(guess, c, ref lo, ref hi, wantHead, wantTail, shift);
        if (hit >= 0)
        {
            return ReadSetId(new ReadOnlySpan<byte>(_base + _entriesOffset + hit * _entrySize, _entrySize));
        }

        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            c = Compare(mid, wantHead, wantTail, shift);
            if (c == 0)
            {
                return ReadSetId(new ReadOnlySpan<byte>(_base + _entriesOffset + mid * _entrySize, _entrySize));
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>Where <see cref="FindSetId"/> will first look for the key: the 32 key bits after the prefix, as a
    /// fraction of the bucket's entries <paramref name="lo"/>..<paramref name="hi"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Guess(UInt128 key, long lo, long hi)
    {
        var fraction = (ulong)(key << _prefixBits >> 96);
        return lo + (long)((fraction * (ulong)(hi - lo + 1)) >> 32);
    }

    /// <summary>Asks the CPU to start loading the key's bucket bounds (<see cref="PrefetchStage.Bucket"/>), or the entry
    /// <see cref="FindSetId"/> will look at first, once the bucket bounds are loaded (<see cref="PrefetchStage.FirstProbe"/>).
    /// A bulk check does both for a group of keys before looking any of them up, so their cache misses overlap instead
    /// of coming one after another. A hint only: it changes no answer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(UInt128 key, PrefetchStage stage)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var bucket = (long)(ulong)(key >> (128 - _prefixBits));
        var toc = (long*)(_base + _tocOffset);
        if (stage == PrefetchStage.Bucket)
        {
            Sse.Prefetch0(toc + bucket);
            return;
        }

        var lo = toc[bucket];
        var hi = toc[bucket + 1] - 1;
        if (lo <= hi)
        {
            Sse.Prefetch0(_base + _entriesOffset + Guess(key, lo, hi) * _entrySize);
        }
    }

    /// <summary>Gallops away from a missed guess (<paramref name="c"/> says which side the key is on) until an entry on
    /// the key's other side, or the bucket's end, brackets it in <paramref name="lo"/>..<paramref name="hi"/>; the entry's
    /// index if a probe hits the key, else -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Gallop(long guess, int c, ref long lo, ref long hi, ulong wantHead, int wantTail, int shift)
    {
        var step = 1L;
        if (c < 0)
        {
            lo = guess + 1;
            while (lo <= hi)
            {
                var probe = Math.Min(guess + step, hi);
                c = Compare(probe, wantHead, wantTail, shift);
                if (c == 0)
                {
                    return probe;
                }

                if (c > 0)
                {
                    hi = probe - 1;
                    break;
                }

                lo = probe + 1;
                step <<= 1;
            }
        }
        else
        {
            hi = guess - 1;
            while (lo <= hi)
            {
                var probe = Math.Max(guess - step, lo);
                c = Compare(probe, wantHead, wantTail, shift);
                if (c == 0)
                {
                    return probe;
                }

                if (c < 0)
                {
                    lo = probe + 1;
                    break;
                }

                hi = probe - 1;
                step <<= 1;
            }
        }

        return -1;
    }

    /// <summary>Entry <paramref name="index"/>'s key against the wanted one: negative when it sorts before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Compare(long index, ulong wantHead, int wantTail, int shift)
    {
        var entry = _base + _entriesOffset + index * _entrySize;
        var head = BinaryPrimitives.ReadUInt64BigEndian(new ReadOnlySpan<byte>(entry, 8)) >> shift;
        return head != wantHead ? head.CompareTo(wantHead) : Tail(new ReadOnlySpan<byte>(entry, _keyBytes)).CompareTo(wantTail);
    }

    /// <summary>The stored key bytes after the first 8 (none, one or two) as an integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Tail(ReadOnlySpan<byte> key)
    {
        var tail = 0;
        for (var i = 8; i < _keyBytes; i++)
        {
            tail = (tail << 8) | key[i];
        }

        return tail;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ReadSetId(ReadOnlySpan<byte> entry)
    {
        uint id = 0;
        for (var i = 0; i < _setIdBytes; i++)
        {
            id |= (uint)entry[_keyBytes + i] << (8 * i);
        }

        return (int)id;
    }

    /// <summary>Reads entries in key order, reconstructing each full key from its bucket and stored bytes.</summary>
    public IndexCursor OpenCursor() => new(this);

    public sealed class IndexCursor
    {
        /// <summary>Entries between two releases of what was read: 1M entries, about 8 MB of mapping.</summary>
        private const long ReleaseEvery = (1 << 20) - 1;

        private readonly ExposureIndexReader _r;
        private long _index;
        private long _bucket;
        private long _bucketEnd;
        private long _released;

        internal IndexCursor(ExposureIndexReader reader)
        {
            _r = reader;
            _bucketEnd = ((long*)(_r._base + _r._tocOffset))[1];
        }

        public bool TryNext(out UInt128 key, out int setId)
        {
            if (_index >= _r.EntryCount)
            {
                key = default;
                setId = -1;
                return false;
            }

            var toc = (long*)(_r._base + _r._tocOffset);
            while (_index >= _bucketEnd)
            {
                _bucket++;
                _bucketEnd = toc[_bucket + 1];
            }

            var entry = new ReadOnlySpan<byte>(_r._base + _r._entriesOffset + _index * _r._entrySize, _r._entrySize);
            Span<byte> full = stackalloc byte[IndexKeys.KeyBytes];
            full.Clear();
            // Bytes implied by the bucket number, then the stored tail (which overlaps any partial prefix byte).
            var prefixHigh = (UInt128)(ulong)_bucket << (128 - _r._prefixBits);
            IndexKeys.WriteBigEndian(prefixHigh, full);
            entry[.._r._keyBytes].CopyTo(full[(IndexKeys.KeyBytes - _r._keyBytes)..]);
            key = IndexKeys.ReadBigEndian(full);
            setId = _r.ReadSetId(entry);
            _index++;
            if ((_index & ReleaseEvery) == 0)
            {
                // The pass never comes back: entries already read leave the resident set (see DropResident).
                var upTo = _index * _r._entrySize;
                _r._file.DropResident(_r._entriesOffset + _released, upTo - _released);
                _released = upTo;
            }

            return true;
        }
    }

    /// <summary>Verifies every checksum and structural invariant; returns problems found (empty = healthy).</summary>
    public List<string> Verify()
    {
        var problems = new List<string>();
        var header = new ReadOnlySpan<byte>(_base, ExposureIndexFormat.HeaderSize);
        var tocLen = _entriesOffset - _tocOffset;
        if (HashRange(_tocOffset, tocLen) != BinaryPrimitives.ReadUInt64LittleEndian(header[ExposureIndexFormat.OffTocChecksum..]))
        {
            problems.Add($"{Path}: TOC checksum mismatch");
        }

        if (HashRange(_entriesOffset, EntryCount * _entrySize) != BinaryPrimitives.ReadUInt64LittleEndian(header[ExposureIndexFormat.OffEntriesChecksum..]))
        {
            problems.Add($"{Path}: entries checksum mismatch");
        }

        if (HashRange(_setsOffset, _setsLength) != BinaryPrimitives.ReadUInt64LittleEndian(header[ExposureIndexFormat.OffSetsChecksum..]))
        {
            problems.Add($"{Path}: breach-set checksum mismatch");
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        var toc = (long*)(_base + _tocOffset);
        var buckets = 1L << _prefixBits;
        if (toc[0] != 0 || toc[buckets] != EntryCount)
        {
            problems.Add($"{Path}: TOC does not cover the entries");
            return problems;
        }

        var cursor = OpenCursor();
        var any = false;
        UInt128 last = default;
        while (cursor.TryNext(out var key, out var set))
        {
            if (any && key <= last)
            {
                problems.Add($"{Path}: entries out of order");
                break;
            }

            if (set < 0 || set >= _sets.Length)
            {
                problems.Add($"{Path}: entry refers to missing breach set {set}");
                break;
            }

            any = true;
            last = key;
        }

        return problems;
    }

    private ulong HashRange(long offset, long length)
    {
        var h = new XxHash64();
        while (length > 0)
        {
            var n = (int)Math.Min(length, 1 << 30);
            h.Append(new ReadOnlySpan<byte>(_base + offset, n));
            offset += n;
            length -= n;
        }

        return h.GetCurrentHashAsUInt64();
    }

    public void Dispose() => _file.Dispose();
}

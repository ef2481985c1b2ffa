using System.Buffers.Binary;
using System.IO.Hashing;

namespace Leakwatch.Index;

/// <summary>
/// Streams sorted (key, set id) entries into a new index file. Entries must arrive in strictly increasing
/// key order. Call <see cref="Complete"/> with the breach-set table to finish; the file is fsynced.
/// </summary>
public sealed class ExposureIndexWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly BufferedStream _out;
    private readonly int _prefixBits;
    private readonly int _keyBytes;
    private readonly int _setIdBytes;
    private readonly long[] _bucketCounts;
    private readonly XxHash64 _entriesHash = new();
    private readonly int _entrySize;
    // Entries are assembled in this buffer and hashed and written a block at a time.
    private readonly byte[] _block;
    private int _blockUsed;
    private readonly long _tocOffset;
    private readonly long _entriesOffset;
    private UInt128 _lastKey;
    private bool _any;
    private bool _completed;

    public ExposureIndexWriter(string path, long entryUpperBound, long setCountUpperBound)
    {
        Path = path;
        _prefixBits = ExposureIndexFormat.PrefixBitsFor(entryUpperBound);
        _keyBytes = ExposureIndexFormat.KeyBytesFor(_prefixBits);
        _setIdBytes = ExposureIndexFormat.SetIdBytesFor(setCountUpperBound);
        _bucketCounts = new long[(1 << _prefixBits) + 1];
        _entrySize = _keyBytes + _setIdBytes;
        _block = new byte[_entrySize * 8192];
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
        _out = new BufferedStream(_file, 1 << 20);
        _tocOffset = ExposureIndexFormat.HeaderSize;
        _entriesOffset = _tocOffset + 8L * _bucketCounts.Length;
        _out.Write(new byte[ExposureIndexFormat.HeaderSize]);
        // TOC placeholder, filled in by Complete.
        var zeros = new byte[64 * 1024];
        var tocBytes = 8L * _bucketCounts.Length;
        while (tocBytes > 0)
        {
            var n = (int)Math.Min(tocBytes, zeros.Length);
            _out.Write(zeros, 0, n);
            tocBytes -= n;
        }
    }

    public string Path { get; }

    public long EntryCount { get; private set; }

    public void Add(UInt128 key, int setId)
    {
        if (_any && key <= _lastKey)
        {
            throw new InvalidOperationException("index entries must be added in strictly increasing key order");
        }

        _any = true;
        _lastKey = key;
        if (_blockUsed == _block.Length)
        {
            FlushBlock();
        }

        var entry = _block.AsSpan(_blockUsed, _entrySize);
        Span<byte> full = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(key, full);
        full[(IndexKeys.KeyBytes - _keyBytes)..].CopyTo(entry);
        var id = (uint)setId;
        for (var i = 0; i < _setIdBytes; i++)
        {
            entry[_keyBytes + i] = (byte)(id >> (8 * i));
        }

        _blockUsed += _entrySize;
        _bucketCounts[(int)(ulong)(key >> (128 - _prefixBits))]++;
        EntryCount++;
    }

    private void FlushBlock()
    {
        _out.Write(_block, 0, _blockUsed);
        _entriesHash.Append(_block.AsSpan(0, _blockUsed));
        _blockUsed = 0;
    }

    /// <summary>Writes the set table and header, then fsyncs. <paramref name="sets"/>[id] lists breach ids, ascending.</summary>
    public void Complete(IReadOnlyList<int[]> sets)
    {
        if ((ulong)sets.Count > (1UL << (8 * _setIdBytes)))
        {
            throw new InvalidOperationException("more breach sets than the set-id width allows");
        }

        FlushBlock();
        var setsOffset = _entriesOffset + EntryCount * _entrySize;
        var setsHash = new XxHash64();
        long dataOffset = 0;
        Span<byte> eight = stackalloc byte[8];
        // Offsets table: (count + 1) × u64 into the data part, then breach ids as u32.
        for (var i = 0; i <= sets.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(eight, dataOffset);
            _out.Write(eight);
            setsHash.Append(eight);
            if (i < sets.Count)
            {
                dataOffset += 4L * sets[i].Length;
            }
        }

        Span<byte> four = stackalloc byte[4];
        foreach (var set in sets)
        {
            foreach (var breach in set)
            {
                BinaryPrimitives.WriteInt32LittleEndian(four, breach);
                _out.Write(four);
                setsHash.Append(four);
            }
        }

        var setsLength = 8L * (sets.Count + 1) + dataOffset;
        _out.Flush();

        // TOC: cumulative entry index at the start of each bucket, plus the total; written a chunk at a time, since a
        // 1.2B-key index has 2^25 buckets (a whole TOC array would be another 256 MB).
        _file.Position = _tocOffset;
        var tocHash = new XxHash64();
        var chunk = new byte[64 * 1024];
        long running = 0;
        var used = 0;
        for (var b = 0; b < _bucketCounts.Length; b++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(chunk.AsSpan(used), running);
            used += 8;
            running += _bucketCounts[b];
            if (used == chunk.Length || b == _bucketCounts.Length - 1)
            {
                _file.Write(chunk, 0, used);
                tocHash.Append(chunk.AsSpan(0, used));
                used = 0;
            }
        }

        var header = new byte[ExposureIndexFormat.HeaderSize];
        ExposureIndexFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(ExposureIndexFormat.OffVersion), ExposureIndexFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(ExposureIndexFormat.OffPrefixBits), (uint)_prefixBits);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(ExposureIndexFormat.OffKeyBytes), (uint)_keyBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(ExposureIndexFormat.OffSetIdBytes), (uint)_setIdBytes);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffEntryCount), EntryCount);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffSetCount), sets.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffTocOffset), _tocOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffEntriesOffset), _entriesOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffSetsOffset), setsOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffSetsLength), setsLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffTocChecksum), tocHash.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffEntriesChecksum), _entriesHash.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffSetsChecksum), setsHash.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(ExposureIndexFormat.OffHeaderChecksum),
            XxHash64.HashToUInt64(header.AsSpan(0, ExposureIndexFormat.HeaderChecksummedBytes)));
        _file.Position = 0;
        _file.Write(header);
        _file.Flush(flushToDisk: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_completed)
        {
            _out.Dispose();
            _file.Dispose();
            return;
        }

        try
        {
            _out.Dispose();
            _file.Dispose();
        }
        catch (IOException)
        {
            // A partial file's last buffer could not be flushed (a full disk): the caller's error is the one to report.
            _file.Dispose();
        }

        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // An orphan is swept by the store at the next publish.
        }
    }
}

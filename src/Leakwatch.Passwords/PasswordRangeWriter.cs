using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using Leakwatch.Storage;

namespace Leakwatch.Passwords;

/// <summary>
/// Writes one password range file (see docs/passwords-format.md) from records in strictly increasing hash
/// order. Header and TOC are written last, then the file is fsynced; an unfinished file has a zero header.
/// </summary>
internal sealed class PasswordRangeWriter : IDisposable
{
    private readonly FileStream _fs;
    private readonly PasswordHashMode _mode;
    private readonly long _generation;
    private readonly int _hashBytes;
    private readonly int _recordSize;
    private readonly long[] _toc = new long[PasswordRangeFormat.BucketCount + 1];
    private readonly XxHash64 _recordsHash = new();
    private readonly byte[] _buffer = new byte[1 << 20];
    private readonly byte[] _hash = new byte[20];
    private int _buffered;
    private int _nextBucket;
    private long _count;
    private ulong _total;
    private long _saturated;
    private HashRecord _last;
    private bool _finished;

    public PasswordRangeWriter(string path, PasswordHashMode mode, long generation)
    {
        Path = path;
        _mode = mode;
        _generation = generation;
        _hashBytes = PasswordRangeFormat.HashBytes(mode);
        _recordSize = PasswordRangeFormat.RecordSize(mode);
        _fs = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
        _fs.Position = PasswordRangeFormat.HeaderSize + PasswordRangeFormat.TocBytes;
    }

    public string Path { get; }

    public long Count => _count;

    public ulong Total => _total;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(in HashRecord r)
    {
        if (_count > 0 && r.CompareTo(_last) <= 0)
        {
            throw new InvalidOperationException("records must be added in strictly increasing hash order");
        }

        _last = r;
        var bucket = r.Bucket;
        while (_nextBucket <= bucket)
        {
            _toc[_nextBucket++] = _count;
        }

        if (_buffered + _recordSize > _buffer.Length)
        {
            FlushBuffer();
        }

        r.WriteHash(_hash, _hashBytes);
        var rec = _buffer.AsSpan(_buffered, _recordSize);
        _hash.AsSpan(PasswordRangeFormat.DroppedBytes, _hashBytes - PasswordRangeFormat.DroppedBytes).CopyTo(rec);
        uint stored;
        if (r.Count > uint.MaxValue)
        {
            stored = uint.MaxValue;
            _saturated++;
        }
        else
        {
            stored = (uint)r.Count;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(rec[(_hashBytes - PasswordRangeFormat.DroppedBytes)..], stored);
        _buffered += _recordSize;
        _count++;
        _total = Counts.Add(_total, stored);
    }

    /// <summary>Writes TOC and header, fsyncs and closes the file.</summary>
    public void Finish()
    {
        FlushBuffer();
        while (_nextBucket <= PasswordRangeFormat.BucketCount)
        {
            _toc[_nextBucket++] = _count;
        }

        var toc = new byte[PasswordRangeFormat.TocBytes];
        for (var i = 0; i < _toc.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(toc.AsSpan(8 * i), _toc[i]);
        }

        _fs.Position = PasswordRangeFormat.HeaderSize;
        _fs.Write(toc);

        var header = new byte[PasswordRangeFormat.HeaderSize];
        PasswordRangeFormat.Magic.CopyTo(header);
        var h = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h[PasswordRangeFormat.OffVersion..], PasswordRangeFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(h[PasswordRangeFormat.OffMode..], PasswordRangeFormat.ModeCode(_mode));
        BinaryPrimitives.WriteUInt32LittleEndian(h[PasswordRangeFormat.OffHashBytes..], (uint)_hashBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(h[PasswordRangeFormat.OffRecordSize..], (uint)_recordSize);
        BinaryPrimitives.WriteInt64LittleEndian(h[PasswordRangeFormat.OffRecordCount..], _count);
        BinaryPrimitives.WriteUInt64LittleEndian(h[PasswordRangeFormat.OffTotalCount..], _total);
        BinaryPrimitives.WriteInt64LittleEndian(h[PasswordRangeFormat.OffGeneration..], _generation);
        BinaryPrimitives.WriteInt64LittleEndian(h[PasswordRangeFormat.OffTocOffset..], PasswordRangeFormat.HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(h[PasswordRangeFormat.OffRecordsOffset..], PasswordRangeFormat.HeaderSize + PasswordRangeFormat.TocBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(h[PasswordRangeFormat.OffTocChecksum..], XxHash64.HashToUInt64(toc));
        BinaryPrimitives.WriteUInt64LittleEndian(h[PasswordRangeFormat.OffRecordsChecksum..], _recordsHash.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteInt64LittleEndian(h[PasswordRangeFormat.OffSaturated..], _saturated);
        BinaryPrimitives.WriteUInt64LittleEndian(h[PasswordRangeFormat.OffHeaderChecksum..], XxHash64.HashToUInt64(h[..PasswordRangeFormat.HeaderChecksummedBytes]));
        _fs.Position = 0;
        _fs.Write(header);
        _fs.Flush(flushToDisk: true);
        _fs.Dispose();
        _finished = true;
    }

    private void FlushBuffer()
    {
        if (_buffered == 0)
        {
            return;
        }

        var data = _buffer.AsSpan(0, _buffered);
        _recordsHash.Append(data);
        _fs.Write(data);
        _buffered = 0;
    }

    public void Dispose()
    {
        if (!_finished)
        {
            _fs.Dispose();
            FileSync.TryDelete(Path);
        }
    }
}

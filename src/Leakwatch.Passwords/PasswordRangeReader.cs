using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using Leakwatch.Core.Errors;
using Leakwatch.Storage;

namespace Leakwatch.Passwords;

/// <summary>
/// Memory-mapped, read-only view of one password range file. Thread-safe. A range is the contiguous run
/// of records between two TOC slots, formatted straight into the caller's buffer.
/// </summary>
internal sealed unsafe class PasswordRangeReader : IDisposable
{
    /// <summary>Lines formatted per <see cref="IBufferWriter{T}.GetSpan"/> call.</summary>
    private const int LinesPerChunk = 256;

    private readonly ReadOnlyMappedFile _file;
    private readonly byte* _base;
    private readonly long* _toc;
    private readonly byte* _records;
    private readonly int _recordSize;
    private readonly int _suffixBytes;
    private readonly int _maxLine;
    private readonly ulong _recordsChecksum;
    private int _disposed;

    private PasswordRangeReader(string path, PasswordHashMode expectedMode)
    {
        Path = path;
        Mode = expectedMode;
        _file = ReadOnlyMappedFile.OpenValidated(path, PasswordRangeFormat.Mapped, message => new PasswordStoreCorruptException(message));
        Length = _file.Length;
        _base = _file.Base;
        try
        {
            var header = new ReadOnlySpan<byte>(_base, PasswordRangeFormat.HeaderSize);
            var mode = BinaryPrimitives.ReadUInt32LittleEndian(header[PasswordRangeFormat.OffMode..]);
            _recordSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[PasswordRangeFormat.OffRecordSize..]);
            var hashBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[PasswordRangeFormat.OffHashBytes..]);
            RecordCount = BinaryPrimitives.ReadInt64LittleEndian(header[PasswordRangeFormat.OffRecordCount..]);
            TotalCount = BinaryPrimitives.ReadUInt64LittleEndian(header[PasswordRangeFormat.OffTotalCount..]);
            Generation = BinaryPrimitives.ReadInt64LittleEndian(header[PasswordRangeFormat.OffGeneration..]);
            var tocOffset = BinaryPrimitives.ReadInt64LittleEndian(header[PasswordRangeFormat.OffTocOffset..]);
            var recordsOffset = BinaryPrimitives.ReadInt64LittleEndian(header[PasswordRangeFormat.OffRecordsOffset..]);
            var tocChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header[PasswordRangeFormat.OffTocChecksum..]);
            _recordsChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header[PasswordRangeFormat.OffRecordsChecksum..]);
            if (mode != PasswordRangeFormat.ModeCode(expectedMode) || hashBytes != PasswordRangeFormat.HashBytes(expectedMode)
                || _recordSize != PasswordRangeFormat.RecordSize(expectedMode) || tocOffset != PasswordRangeFormat.HeaderSize
                || recordsOffset != tocOffset + PasswordRangeFormat.TocBytes || RecordCount < 0
                || recordsOffset + RecordCount * _recordSize != Length)
            {
                throw new PasswordStoreCorruptException($"{path}: header fields are inconsistent (mode, sizes or file length)");
            }

            _toc = (long*)(_base + tocOffset);
            _records = _base + recordsOffset;
            _suffixBytes = hashBytes - PasswordRangeFormat.DroppedBytes;

            // The TOC bounds every range read, so it is checked whole at open: 8 MB, about a millisecond.
            var tocSpan = new ReadOnlySpan<byte>(_toc, (int)PasswordRangeFormat.TocBytes);
            if (XxHash64.HashToUInt64(tocSpan) != tocChecksum)
            {
                throw new PasswordStoreCorruptException($"{path}: TOC checksum mismatch");
            }

            long prev = 0;
            for (var i = 0; i <= PasswordRangeFormat.BucketCount; i++)
            {
                var v = BinaryPrimitives.ReadInt64LittleEndian(tocSpan[(8 * i)..]);
                if (v < prev || (i == 0 && v != 0))
                {
                    throw new PasswordStoreCorruptException($"{path}: TOC is not monotonic at bucket {i}");
                }

                prev = v;
            }

            if (prev != RecordCount)
            {
                throw new PasswordStoreCorruptException($"{path}: TOC does not end at the record count");
            }

            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("password range files are read on little-endian hosts only");
            }

            // CRLF + suffix hex + ':' + up to 10 count digits.
            _maxLine = 2 + PasswordRangeFormat.SuffixHexDigits(expectedMode) + 1 + 10;
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public PasswordHashMode Mode { get; }

    public long Length { get; }

    public long RecordCount { get; }

    public ulong TotalCount { get; }

    public long Generation { get; }

    public static PasswordRangeReader Open(string path, PasswordHashMode mode)
    {
        try
        {
            return new PasswordRangeReader(path, mode);
        }
        catch (IOException e)
        {
            throw new PasswordStoreCorruptException($"{path}: cannot open password range file: {e.Message}");
        }
    }

    /// <summary>Number of records in a bucket.</summary>
    public int BucketLength(int bucket) => (int)(_toc[bucket + 1] - _toc[bucket]);

    /// <summary>The stored bytes of a bucket's records (what the ETag hashes).</summary>
    public ReadOnlySpan<byte> BucketBytes(int bucket)
    {
        var lo = _toc[bucket];
        return new ReadOnlySpan<byte>(_records + lo * _recordSize, checked((int)((_toc[bucket + 1] - lo) * _recordSize)));
    }

    public int WriteRange(int bucket, IBufferWriter<byte> output)
    {
        var lo = _toc[bucket];
        var n = (int)(_toc[bucket + 1] - lo);
        var rec = _records + lo * _recordSize;
        var suffixBytes = _suffixBytes;
        var recordSize = _recordSize;
        var written = 0;
        fixed (ushort* pairs = Hex.Pairs)
        fixed (byte* digits = Hex.Digits)
        {
            while (written < n)
            {
                var chunk = Math.Min(n - written, LinesPerChunk);
                var span = output.GetSpan(chunk * _maxLine);
                int pos;
                fixed (byte* start = span)
                {
                    var d = start;
                    for (var k = 0; k < chunk; k++)
                    {
                        if (written + k > 0)
                        {
                            *(ushort*)d = 0x0A0D; // "\r\n"
                            d += 2;
                        }

                        *d++ = digits[rec[0] & 15];
                        for (var j = 1; j < suffixBytes; j++)
                        {
                            *(ushort*)d = pairs[rec[j]];
                            d += 2;
                        }

                        *d++ = (byte)':';
                        d += WriteDecimal(*(uint*)(rec + suffixBytes), d);
                        rec += recordSize;
                    }

                    pos = (int)(d - start);
                }

                output.Advance(pos);
                written += chunk;
            }
        }

        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteDecimal(uint v, byte* d)
    {
        var len = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
            : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
        var e = d + len;
        do
        {
            var q = v / 10;
            *--e = (byte)('0' + (v - q * 10));
            v = q;
        }
        while (v != 0);
        return len;
    }

    /// <summary>Recomputes the records checksum and checks order and bucket placement; returns problems found.</summary>
    public List<string> Verify()
    {
        var problems = new List<string>();
        var hasher = new XxHash64();
        const int step = 1 << 24;
        var total = RecordCount * _recordSize;
        for (long off = 0; off < total; off += step)
        {
            hasher.Append(new ReadOnlySpan<byte>(_records + off, (int)Math.Min(step, total - off)));
        }

        if (hasher.GetCurrentHashAsUInt64() != _recordsChecksum)
        {
            problems.Add($"{Path}: records checksum mismatch");
        }

        using var cursor = OpenCursor();
        HashRecord prev = default;
        long i = 0;
        ulong sum = 0;
        while (cursor.MoveNext())
        {
            var r = cursor.Current;
            if (i > 0 && r.CompareTo(prev) <= 0)
            {
                problems.Add($"{Path}: record {i} is out of order");
                break;
            }

            if (r.Count == 0)
            {
                problems.Add($"{Path}: record {i} has count 0");
                break;
            }

            sum = Counts.Add(sum, r.Count);
            prev = r;
            i++;
        }

        if (!cursor.BucketsConsistent)
        {
            problems.Add($"{Path}: a record's stored nibble does not match its bucket");
        }

        if (sum != TotalCount)
        {
            problems.Add($"{Path}: counts sum to {sum}, header says {TotalCount}");
        }

        return problems;
    }

    /// <summary>Reads all records in hash order, rebuilding each full hash from its bucket and stored bytes.</summary>
    public Cursor OpenCursor() => new(this);

    internal sealed class Cursor : IRecordSource
    {
        private readonly PasswordRangeReader _f;
        private readonly byte[] _hash;
        private long _index = -1;
        private int _bucket;

        public Cursor(PasswordRangeReader f)
        {
            _f = f;
            _hash = new byte[PasswordRangeFormat.HashBytes(f.Mode)];
        }

        public HashRecord Current { get; private set; }

        public bool BucketsConsistent { get; private set; } = true;

        public bool MoveNext()
        {
            if (++_index >= _f.RecordCount)
            {
                return false;
            }

            while (_f._toc[_bucket + 1] <= _index)
            {
                _bucket++;
            }

            var rec = new ReadOnlySpan<byte>(_f._records + _index * _f._recordSize, _f._recordSize);
            _hash[0] = (byte)(_bucket >> 12);
            _hash[1] = (byte)(_bucket >> 4);
            rec[.._f._suffixBytes].CopyTo(_hash.AsSpan(PasswordRangeFormat.DroppedBytes));
            if ((_hash[2] >> 4) != (_bucket & 15))
            {
                BucketsConsistent = false;
            }

            Current = HashRecord.FromHash(_hash, BinaryPrimitives.ReadUInt32LittleEndian(rec[_f._suffixBytes..]));
            return true;
        }

        public void Dispose()
        {
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _file.Dispose();
    }
}

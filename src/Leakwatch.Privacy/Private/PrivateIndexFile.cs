using Leakwatch.Storage;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Leakwatch.Privacy.Private;

/// <summary>Constants of the private index file (docs/private-index-format.md).</summary>
public static class PrivateIndexFormat
{
    public static ReadOnlySpan<byte> Magic => "LWPRIV01"u8;
    public const uint Version = 1;
    public const int HeaderSize = 128;

    /// <summary>The header checks <see cref="ReadOnlyMappedFile.OpenValidated"/> makes before the reader reads a field.</summary>
    public static readonly MappedFileFormat Mapped = new(
        "a private index", "private index", "private index", Magic.ToArray(), Version, OffVersion, OffHeaderChecksum,
        HeaderChecksummedBytes, HeaderSize);

    public const int HeaderChecksummedBytes = 96;

    internal const int OffVersion = 8;
    internal const int OffBucketBits = 12;
    internal const int OffBucketEntries = 16;
    internal const int OffEntrySize = 20;
    internal const int OffSalt = 24;
    internal const int OffKeyId = 56;
    internal const int OffGeneration = 64;
    internal const int OffRealEntries = 72;
    internal const int OffEntriesOffset = 80;
    internal const int OffEntriesChecksum = 88;
    internal const int OffHeaderChecksum = 96;

    public static long FileLength(int bucketBits, int bucketEntries) =>
        HeaderSize + (1L << bucketBits) * bucketEntries * PrivateProtocol.EntrySize;
}

public sealed class PrivateIndexException(string message) : LeakwatchException(ErrorKind.DataDir, message);

/// <summary>
/// Writes a private index file front to back: header placeholder, then every bucket in order (each exactly
/// bucketEntries × 48 bytes), then the real header with checksums, then fsync. Never overwrites a published file.
/// </summary>
public sealed class PrivateIndexWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly XxHash64 _checksum = new();
    private readonly int _bucketBits;
    private readonly int _bucketEntries;
    private readonly byte[] _salt;
    private readonly byte[] _keyId;
    private readonly long _generation;
    private long _bucketsWritten;
    private bool _completed;

    public PrivateIndexWriter(string path, int bucketBits, int bucketEntries, ReadOnlySpan<byte> salt, string keyId, long generation)
    {
        if (bucketBits is < 0 or > PrivateProtocol.MaxBucketBits || bucketEntries < PrivateProtocol.BucketEntriesMultiple
            || bucketEntries % PrivateProtocol.BucketEntriesMultiple != 0 || salt.Length != PrivateProtocol.SaltSize)
        {
            throw new ArgumentException("invalid private index parameters");
        }

        Path = path;
        _bucketBits = bucketBits;
        _bucketEntries = bucketEntries;
        _salt = salt.ToArray();
        _keyId = Convert.FromHexString(keyId);
        _generation = generation;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        _stream.Write(new byte[PrivateIndexFormat.HeaderSize]);
    }

    public string Path { get; }

    public ulong EntriesChecksum { get; private set; }

    public long BucketCount => 1L << _bucketBits;

    /// <summary>Appends the next bucket: exactly bucketEntries × 48 bytes, sorted by keycheck.</summary>
    public void WriteBucket(ReadOnlySpan<byte> entries)
    {
        if (entries.Length != _bucketEntries * PrivateProtocol.EntrySize || _bucketsWritten >= BucketCount)
        {
            throw new InvalidOperationException("bucket of the wrong size, or too many buckets");
        }

        _stream.Write(entries);
        _checksum.Append(entries);
        _bucketsWritten++;
    }

    /// <summary>Writes the header and fsyncs the file.</summary>
    public void Complete(long realEntries)
    {
        if (_bucketsWritten != BucketCount)
        {
            throw new InvalidOperationException($"wrote {_bucketsWritten} of {BucketCount} buckets");
        }

        EntriesChecksum = _checksum.GetCurrentHashAsUInt64();
        var header = new byte[PrivateIndexFormat.HeaderSize];
        PrivateIndexFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(PrivateIndexFormat.OffVersion), PrivateIndexFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(PrivateIndexFormat.OffBucketBits), (uint)_bucketBits);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(PrivateIndexFormat.OffBucketEntries), (uint)_bucketEntries);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(PrivateIndexFormat.OffEntrySize), PrivateProtocol.EntrySize);
        _salt.CopyTo(header.AsSpan(PrivateIndexFormat.OffSalt));
        _keyId.CopyTo(header.AsSpan(PrivateIndexFormat.OffKeyId));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(PrivateIndexFormat.OffGeneration), _generation);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(PrivateIndexFormat.OffRealEntries), realEntries);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(PrivateIndexFormat.OffEntriesOffset), PrivateIndexFormat.HeaderSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(PrivateIndexFormat.OffEntriesChecksum), EntriesChecksum);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(PrivateIndexFormat.OffHeaderChecksum),
            XxHash64.HashToUInt64(header.AsSpan(0, PrivateIndexFormat.HeaderChecksummedBytes)));
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Flush(flushToDisk: true);
        _completed = true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (!_completed)
        {
            FileSync.TryDelete(Path);
        }
    }
}

/// <summary>Memory-mapped, read-only private index. Thread-safe; a bucket is one contiguous slice of the file.</summary>
public sealed unsafe class PrivateIndexReader : IDisposable
{
    private readonly ReadOnlyMappedFile _file;
    private readonly byte* _base;
    private readonly long _length;
    private readonly byte[] _salt;

    private PrivateIndexReader(string path)
    {
        Path = path;
        _file = ReadOnlyMappedFile.OpenValidated(path, PrivateIndexFormat.Mapped, message => new PrivateIndexException(message));
        _length = _file.Length;
        _base = _file.Base;
        try
        {
            var header = new ReadOnlySpan<byte>(_base, PrivateIndexFormat.HeaderSize);
            BucketBits = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[PrivateIndexFormat.OffBucketBits..]);
            BucketEntries = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[PrivateIndexFormat.OffBucketEntries..]);
            var entrySize = BinaryPrimitives.ReadUInt32LittleEndian(header[PrivateIndexFormat.OffEntrySize..]);
            _salt = header.Slice(PrivateIndexFormat.OffSalt, PrivateProtocol.SaltSize).ToArray();
            KeyId = Convert.ToHexStringLower(header.Slice(PrivateIndexFormat.OffKeyId, 8));
            Generation = BinaryPrimitives.ReadInt64LittleEndian(header[PrivateIndexFormat.OffGeneration..]);
            RealEntries = BinaryPrimitives.ReadInt64LittleEndian(header[PrivateIndexFormat.OffRealEntries..]);
            var entriesOffset = BinaryPrimitives.ReadInt64LittleEndian(header[PrivateIndexFormat.OffEntriesOffset..]);
            EntriesChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header[PrivateIndexFormat.OffEntriesChecksum..]);
            if (BucketBits is < 0 or > PrivateProtocol.MaxBucketBits || entrySize != PrivateProtocol.EntrySize
                || BucketEntries < PrivateProtocol.BucketEntriesMultiple || BucketEntries % PrivateProtocol.BucketEntriesMultiple != 0
                || entriesOffset != PrivateIndexFormat.HeaderSize
                || _length != PrivateIndexFormat.FileLength(BucketBits, BucketEntries))
            {
                throw new PrivateIndexException($"{path}: header fields are inconsistent with the file size");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int BucketBits { get; }

    public int BucketEntries { get; }

    public long BucketCount => 1L << BucketBits;

    public int BucketBytes => BucketEntries * PrivateProtocol.EntrySize;

    public ReadOnlySpan<byte> Salt => _salt;

    public string KeyId { get; }

    public long Generation { get; }

    public long RealEntries { get; }

    public ulong EntriesChecksum { get; }

    public long FileLength => _length;

    public static PrivateIndexReader Open(string path)
    {
        try
        {
            return new PrivateIndexReader(path);
        }
        catch (IOException e)
        {
            throw new PrivateIndexException($"{path}: cannot open private index: {e.Message}");
        }
    }

    /// <summary>The bucket's entries, sorted by keycheck: bucketEntries × 48 bytes straight from the mapping.</summary>
    public ReadOnlySpan<byte> Bucket(int bucket)
    {
        if ((uint)bucket >= (ulong)BucketCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket));
        }

        return new ReadOnlySpan<byte>(_base + PrivateIndexFormat.HeaderSize + (long)bucket * BucketBytes, BucketBytes);
    }

    /// <summary>Verifies the entries checksum and that every bucket is strictly sorted by keycheck.</summary>
    public List<string> Verify()
    {
        var problems = new List<string>();
        var h = new XxHash64();
        for (var b = 0L; b < BucketCount; b++)
        {
            h.Append(Bucket((int)b));
        }

        if (h.GetCurrentHashAsUInt64() != EntriesChecksum)
        {
            problems.Add($"{Path}: entries checksum mismatch");
            return problems;
        }

        for (var b = 0L; b < BucketCount; b++)
        {
            var bucket = Bucket((int)b);
            for (var j = PrivateProtocol.EntrySize; j < bucket.Length; j += PrivateProtocol.EntrySize)
            {
                if (bucket.Slice(j - PrivateProtocol.EntrySize, PrivateProtocol.KeycheckSize)
                        .SequenceCompareTo(bucket.Slice(j, PrivateProtocol.KeycheckSize)) >= 0)
                {
                    problems.Add($"{Path}: bucket {b} is not strictly sorted by keycheck");
                    return problems;
                }
            }
        }

        return problems;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _file.Dispose();
    }

    private int _disposed;
}

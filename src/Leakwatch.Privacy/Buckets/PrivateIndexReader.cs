using System.Buffers.Binary;
using System.IO.Hashing;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Storage;

namespace Leakwatch.Privacy.Buckets;

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

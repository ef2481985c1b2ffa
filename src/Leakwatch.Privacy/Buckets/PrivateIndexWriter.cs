using System.Buffers.Binary;
using System.IO.Hashing;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Storage;

namespace Leakwatch.Privacy.Buckets;

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
            throw new ArgumentException("invalid private index parameters", nameof(bucketBits));
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

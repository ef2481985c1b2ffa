using System.Buffers.Binary;
using System.IO.Hashing;
using Leakwatch.Storage;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// Writes a private index file front to back: header placeholder and section table, then every bucket in order
/// (each exactly bucketEntries × 48 bytes, encrypted at rest with this generation's fresh nonce), then the real
/// header with checksums and key check, then fsync. Never overwrites a published file.
/// </summary>
public sealed class PrivateIndexWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly XxHash64 _checksum = new();
    private readonly PrivateLayout _layout;
    private readonly int _bucketEntries;
    private readonly byte[] _salt;
    private readonly byte[] _keyId;
    private readonly byte[] _atRestKey;
    private readonly byte[] _nonce = new byte[PrivateIndexFormat.CipherNonceSize];
    private readonly byte[] _sectionTable;
    private readonly long _entriesOffset;
    private readonly long _generation;
    private byte[] _cipher = [];
    private long _bucketsWritten;
    private bool _completed;

    public PrivateIndexWriter(string path, PrivateLayout layout, int bucketEntries, ReadOnlySpan<byte> salt, OprfServerKey key,
        long generation, IPrivateRandom random)
    {
        if (bucketEntries < PrivateProtocol.BucketEntriesMultiple || bucketEntries % PrivateProtocol.BucketEntriesMultiple != 0
            || salt.Length != PrivateProtocol.SaltSize || layout.Sections.Count == 0)
        {
            throw new ArgumentException("invalid private index parameters", nameof(bucketEntries));
        }

        Path = path;
        _layout = layout;
        _bucketEntries = bucketEntries;
        _salt = salt.ToArray();
        _keyId = Convert.FromHexString(key.KeyId);
        _atRestKey = key.AtRestKey;
        random.Fill(_nonce); // fresh every generation: two generations share no keystream, so no byte says what changed
        _generation = generation;
        _sectionTable = new byte[layout.Sections.Count * PrivateIndexFormat.SectionEntrySize];
        PrivateIndexFormat.WriteSections(layout, _sectionTable);
        _entriesOffset = PrivateIndexFormat.EntriesOffset(layout.Sections.Count);
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        _stream.Write(new byte[_entriesOffset]);
    }

    public string Path { get; }

    public ulong EntriesChecksum { get; private set; }

    public long BucketCount => _layout.BucketCount;

    /// <summary>Appends the next bucket: exactly bucketEntries × 48 plaintext bytes, sorted by keycheck.</summary>
    public void WriteBucket(ReadOnlySpan<byte> entries)
    {
        var bytes = _bucketEntries * PrivateProtocol.EntrySize;
        if (entries.Length != bytes || _bucketsWritten >= BucketCount)
        {
            throw new InvalidOperationException("bucket of the wrong size, or too many buckets");
        }

        if (_cipher.Length < bytes)
        {
            _cipher = new byte[bytes];
        }

        var cipher = _cipher.AsSpan(0, bytes);
        PrivateAtRestCipher.Apply(_atRestKey, _nonce, _bucketsWritten * bytes, entries, cipher);
        _stream.Write(cipher);
        _checksum.Append(cipher);
        _bucketsWritten++;
    }

    /// <summary>Writes the header and fsyncs the file.</summary>
    public void Complete()
    {
        if (_bucketsWritten != BucketCount)
        {
            throw new InvalidOperationException($"wrote {_bucketsWritten} of {BucketCount} buckets");
        }

        EntriesChecksum = _checksum.GetCurrentHashAsUInt64();
        var header = new byte[PrivateIndexFormat.HeaderSize];
        var h = header.AsSpan();
        PrivateIndexFormat.Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[PrivateIndexFormat.OffVersion..], PrivateIndexFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(h[PrivateIndexFormat.OffSectionCount..], (uint)_layout.Sections.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(h[PrivateIndexFormat.OffBucketEntries..], (uint)_bucketEntries);
        BinaryPrimitives.WriteUInt32LittleEndian(h[PrivateIndexFormat.OffEntrySize..], PrivateProtocol.EntrySize);
        _salt.CopyTo(h[PrivateIndexFormat.OffSalt..]);
        _keyId.CopyTo(h[PrivateIndexFormat.OffKeyId..]);
        BinaryPrimitives.WriteInt64LittleEndian(h[PrivateIndexFormat.OffGeneration..], _generation);
        BinaryPrimitives.WriteInt64LittleEndian(h[PrivateIndexFormat.OffBucketCount..], BucketCount);
        BinaryPrimitives.WriteInt64LittleEndian(h[PrivateIndexFormat.OffEntriesOffset..], _entriesOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(h[PrivateIndexFormat.OffEntriesChecksum..], EntriesChecksum);
        _nonce.CopyTo(h[PrivateIndexFormat.OffCipherNonce..]);
        PrivateIndexFormat.KeyCheck(_atRestKey, h, _sectionTable, h[PrivateIndexFormat.OffKeyCheck..]);
        BinaryPrimitives.WriteUInt64LittleEndian(h[PrivateIndexFormat.OffSectionsChecksum..], PrivateIndexFormat.SectionsChecksum(_sectionTable));
        BinaryPrimitives.WriteUInt64LittleEndian(h[PrivateIndexFormat.OffHeaderChecksum..],
            XxHash64.HashToUInt64(h[..PrivateIndexFormat.HeaderChecksummedBytes]));
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Write(_sectionTable);
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

using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Leakwatch.Storage;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// Memory-mapped, read-only private index. Thread-safe; a bucket is one contiguous slice of the file, encrypted at
/// rest: <see cref="ReadBucket"/> decrypts it with the OPRF key the reader was opened with. Opened without a key
/// (fsck without the key file), only the checksums can be verified.
/// </summary>
public sealed unsafe class PrivateIndexReader : IDisposable
{
    private readonly ReadOnlyMappedFile _file;
    private readonly byte* _base;
    private readonly long _length;
    private readonly byte[] _salt;
    private readonly byte[] _nonce;
    private readonly byte[]? _atRestKey;
    private readonly long _entriesOffset;
    private int _disposed;

    private PrivateIndexReader(string path, OprfServerKey? key)
    {
        Path = path;
        _file = ReadOnlyMappedFile.OpenValidated(path, PrivateIndexFormat.Mapped, message => new PrivateIndexException(message));
        _length = _file.Length;
        _base = _file.Base;
        try
        {
            var header = new ReadOnlySpan<byte>(_base, PrivateIndexFormat.HeaderSize);
            var sections = BinaryPrimitives.ReadUInt32LittleEndian(header[PrivateIndexFormat.OffSectionCount..]);
            BucketEntries = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[PrivateIndexFormat.OffBucketEntries..]);
            var entrySize = BinaryPrimitives.ReadUInt32LittleEndian(header[PrivateIndexFormat.OffEntrySize..]);
            _salt = header.Slice(PrivateIndexFormat.OffSalt, PrivateProtocol.SaltSize).ToArray();
            KeyId = Convert.ToHexStringLower(header.Slice(PrivateIndexFormat.OffKeyId, 8));
            Generation = BinaryPrimitives.ReadInt64LittleEndian(header[PrivateIndexFormat.OffGeneration..]);
            var bucketCount = BinaryPrimitives.ReadInt64LittleEndian(header[PrivateIndexFormat.OffBucketCount..]);
            _entriesOffset = BinaryPrimitives.ReadInt64LittleEndian(header[PrivateIndexFormat.OffEntriesOffset..]);
            EntriesChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header[PrivateIndexFormat.OffEntriesChecksum..]);
            _nonce = header.Slice(PrivateIndexFormat.OffCipherNonce, PrivateIndexFormat.CipherNonceSize).ToArray();
            if (sections is 0 or > 1000 || entrySize != PrivateProtocol.EntrySize
                || BucketEntries < PrivateProtocol.BucketEntriesMultiple || BucketEntries % PrivateProtocol.BucketEntriesMultiple != 0
                || _entriesOffset != PrivateIndexFormat.EntriesOffset((int)sections)
                || _length < _entriesOffset)
            {
                throw new PrivateIndexException($"{path}: header fields are inconsistent with the file size");
            }

            var table = new ReadOnlySpan<byte>(_base + PrivateIndexFormat.HeaderSize, (int)sections * PrivateIndexFormat.SectionEntrySize);
            if (PrivateIndexFormat.SectionsChecksum(table) != BinaryPrimitives.ReadUInt64LittleEndian(header[PrivateIndexFormat.OffSectionsChecksum..]))
            {
                throw new PrivateIndexException($"{path}: section table checksum mismatch");
            }

            Layout = PrivateIndexFormat.ReadSections(table);
            if (Layout.BucketCount != bucketCount || _length != PrivateIndexFormat.FileLength((int)sections, bucketCount, BucketEntries))
            {
                throw new PrivateIndexException($"{path}: header fields are inconsistent with the file size");
            }

            if (key is not null)
            {
                Span<byte> check = stackalloc byte[PrivateIndexFormat.KeyCheckSize];
                PrivateIndexFormat.KeyCheck(key.AtRestKey, header, table, check);
                if (key.KeyId != KeyId || !CryptographicOperations.FixedTimeEquals(check, header.Slice(PrivateIndexFormat.OffKeyCheck, PrivateIndexFormat.KeyCheckSize)))
                {
                    throw new PrivateIndexException($"{path}: the key file's OPRF key {key.KeyId} did not write this private index (key check failed); use the key file it was built with");
                }

                _atRestKey = key.AtRestKey;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Path { get; }

    public PrivateLayout Layout { get; }

    public int BucketEntries { get; }

    public long BucketCount => Layout.BucketCount;

    public int BucketBytes => BucketEntries * PrivateProtocol.EntrySize;

    public ReadOnlySpan<byte> Salt => _salt;

    public string KeyId { get; }

    public long Generation { get; }

    public ulong EntriesChecksum { get; }

    public long FileLength => _length;

    /// <summary>True when opened with the key that decrypts the entries.</summary>
    public bool CanDecrypt => _atRestKey is not null;

    /// <summary>Opens and validates the file; with <paramref name="key"/>, also checks that key wrote it.</summary>
    public static PrivateIndexReader Open(string path, OprfServerKey? key)
    {
        try
        {
            var version = PrivateIndexFormat.DeclaredVersion(path);
            if (version is > 0 and < PrivateIndexFormat.Version)
            {
                throw new PrivateIndexException(PrivateIndexFormat.OutdatedMessage(path, version));
            }

            return new PrivateIndexReader(path, key);
        }
        catch (IOException e)
        {
            throw new PrivateIndexException($"{path}: cannot open private index: {e.Message}");
        }
    }

    /// <summary>A bucket as stored: bucketEntries × 48 encrypted bytes straight from the mapping.</summary>
    public ReadOnlySpan<byte> StoredBucket(long bucket)
    {
        if ((ulong)bucket >= (ulong)BucketCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket));
        }

        return new ReadOnlySpan<byte>(_base + _entriesOffset + bucket * BucketBytes, BucketBytes);
    }

    /// <summary>Decrypts a bucket into <paramref name="destination"/> (at least <see cref="BucketBytes"/>): its
    /// entries sorted by keycheck, as a client receives them.</summary>
    public void ReadBucket(long bucket, Span<byte> destination)
    {
        var key = _atRestKey ?? throw new InvalidOperationException("opened without the key: buckets cannot be decrypted");
        PrivateAtRestCipher.Apply(key, _nonce, bucket * BucketBytes, StoredBucket(bucket), destination);
    }

    /// <summary>Verifies the entries checksum and, with the key, that every bucket is strictly sorted by keycheck.</summary>
    public List<string> Verify()
    {
        var problems = new List<string>();
        var h = new XxHash64();
        for (var b = 0L; b < BucketCount; b++)
        {
            h.Append(StoredBucket(b));
        }

        if (h.GetCurrentHashAsUInt64() != EntriesChecksum)
        {
            problems.Add($"{Path}: entries checksum mismatch");
            return problems;
        }

        if (!CanDecrypt)
        {
            return problems;
        }

        var bucket = new byte[BucketBytes];
        for (var b = 0L; b < BucketCount; b++)
        {
            ReadBucket(b, bucket);
            for (var j = PrivateProtocol.EntrySize; j < bucket.Length; j += PrivateProtocol.EntrySize)
            {
                if (bucket.AsSpan(j - PrivateProtocol.EntrySize, PrivateProtocol.KeycheckSize)
                        .SequenceCompareTo(bucket.AsSpan(j, PrivateProtocol.KeycheckSize)) >= 0)
                {
                    problems.Add($"{Path}: bucket {b} is not strictly sorted by keycheck (or the file was not written with this key)");
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

        _file?.Dispose();
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Spills runs as AES-GCM blocks under a random key per run that exists only in this process, to files unlinked
/// as soon as they are created (deleted on close on Windows): for records that must never reach the disk in the
/// clear, such as identifiers, and no file is left behind even by a crash.
/// </summary>
/// <param name="directory">Created on the first spill.</param>
/// <param name="filePrefix">Start of the (short-lived) file names.</param>
public sealed class EncryptedTempRuns<TRecord>(string directory, string filePrefix) : IRunStore<TRecord>
    where TRecord : unmanaged
{
    /// <summary>Records per encrypted block: 64 KiB of 8-byte records, so a merge over 150 runs reads in ~10 MiB.</summary>
    public const int BlockRecords = 8192;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int BlockHeaderSize = 4 + NonceSize + TagSize;

    private static unsafe int BlockBytes => BlockRecords * sizeof(TRecord);

    public ISpilledRun<TRecord> Write(ReadOnlySpan<TRecord> sorted)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{filePrefix}-{Guid.NewGuid():N}.run");
        // No share lock: the file is unlinked below, so no other process can open it by name anyway.
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite, 1 << 16,
            OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
        if (!OperatingSystem.IsWindows())
        {
            // Unlinked at once: the open handle keeps the data, and a crash leaves no file behind.
            File.Delete(path);
        }

        // A fresh key per run means a simple block counter is a unique nonce.
        var key = RandomNumberGenerator.GetBytes(32);
        var record = ArrayPool<byte>.Shared.Rent(BlockHeaderSize + BlockBytes);
        try
        {
            using var aes = new AesGcm(key, TagSize);
            ulong block = 0;
            for (var start = 0; start < sorted.Length; start += BlockRecords)
            {
                var plain = MemoryMarshal.AsBytes(sorted.Slice(start, Math.Min(BlockRecords, sorted.Length - start)));
                BinaryPrimitives.WriteInt32LittleEndian(record, plain.Length);
                var nonce = record.AsSpan(4, NonceSize);
                nonce.Clear();
                BinaryPrimitives.WriteUInt64LittleEndian(nonce, block++);
                aes.Encrypt(nonce, plain, record.AsSpan(BlockHeaderSize, plain.Length), record.AsSpan(4 + NonceSize, TagSize));
                file.Write(record, 0, BlockHeaderSize + plain.Length);
            }

            file.Flush();
            return new Run(file, key);
        }
        catch
        {
            file.Dispose();
            CryptographicOperations.ZeroMemory(key);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>A run on disk: blocks of [plaintext length][nonce][tag][ciphertext].</summary>
    private sealed class Run(FileStream file, byte[] key) : ISpilledRun<TRecord>
    {
        public IRunReader<TRecord> OpenReader()
        {
            file.Position = 0;
            return new Reader(file, key);
        }

        public void Dispose()
        {
            file.Dispose();
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private sealed class Reader(FileStream file, byte[] key) : IRunReader<TRecord>
    {
        private readonly AesGcm _aes = new(key, TagSize);
        private readonly byte[] _record = new byte[BlockHeaderSize + BlockBytes];
        private TRecord[] _plain = ArrayPool<TRecord>.Shared.Rent(BlockRecords);

        public unsafe ArraySegment<TRecord> ReadBlock()
        {
            var header = _record.AsSpan(0, BlockHeaderSize);
            var got = file.ReadAtLeast(header, BlockHeaderSize, throwOnEndOfStream: false);
            if (got == 0)
            {
                return default;
            }

            var bytes = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (got < BlockHeaderSize || bytes <= 0 || bytes > BlockBytes || bytes % sizeof(TRecord) != 0)
            {
                throw new InvalidDataException("encrypted sort run is damaged");
            }

            var cipher = _record.AsSpan(BlockHeaderSize, bytes);
            file.ReadExactly(cipher);
            var count = bytes / sizeof(TRecord);
            var plain = MemoryMarshal.AsBytes(_plain.AsSpan(0, count));
            _aes.Decrypt(_record.AsSpan(4, NonceSize), cipher, _record.AsSpan(4 + NonceSize, TagSize), plain);
            return new ArraySegment<TRecord>(_plain, 0, count);
        }

        public void Dispose()
        {
            _aes.Dispose();
            if (_plain.Length > 0)
            {
                // Cleared: pooled arrays outlive this reader, and these hold records kept off the disk for a reason.
                ArrayPool<TRecord>.Shared.Return(_plain, clearArray: true);
                _plain = [];
            }
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Spills runs as AES-GCM blocks under a random key per run that exists only in this process, to files unlinked
/// as soon as they are created (deleted on close on Windows): for records that must never reach the disk in the
/// clear, such as identifiers, and no file is left behind even by a crash. Each block's plaintext is laid out by
/// the <see cref="IRunCodec{TRecord}"/> (raw records unless told otherwise).
/// </summary>
/// <param name="directory">Created on the first spill.</param>
/// <param name="filePrefix">Start of the (short-lived) file names.</param>
/// <param name="codec">The plaintext layout of a block; null for raw records.</param>
public sealed class EncryptedTempRuns<TRecord>(string directory, string filePrefix, IRunCodec<TRecord>? codec = null) : IRunStore<TRecord>
    where TRecord : unmanaged
{
    /// <summary>Records per encrypted block: a merge holds one decoded and one encrypted block per open run.</summary>
    public const int BlockRecords = 4096;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int BlockHeaderSize = 4 + NonceSize + TagSize;

    private readonly IRunCodec<TRecord> _codec = codec ?? RawRunCodec<TRecord>.Instance;

    public IRunWriter<TRecord> Create()
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

        return new Writer(file, _codec);
    }

    private sealed class Writer : IRunWriter<TRecord>
    {
        private readonly FileStream _file;
        private readonly IRunCodec<TRecord> _codec;
        // A fresh key per run means a simple block counter is a unique nonce.
        private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
        private readonly AesGcm _aes;
        private TRecord[] _pending = ArrayPool<TRecord>.Shared.Rent(BlockRecords);
        private byte[] _plain;
        private byte[] _record;
        private int _count;
        private ulong _block;
        private bool _done;

        public Writer(FileStream file, IRunCodec<TRecord> codec)
        {
            _file = file;
            _codec = codec;
            _aes = new AesGcm(_key, TagSize);
            _plain = ArrayPool<byte>.Shared.Rent(codec.MaxEncodedBytes(BlockRecords));
            _record = ArrayPool<byte>.Shared.Rent(BlockHeaderSize + codec.MaxEncodedBytes(BlockRecords));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Write(ReadOnlySpan<TRecord> sorted)
        {
            while (!sorted.IsEmpty)
            {
                var n = Math.Min(BlockRecords - _count, sorted.Length);
                sorted[..n].CopyTo(_pending.AsSpan(_count));
                _count += n;
                sorted = sorted[n..];
                if (_count == BlockRecords)
                {
                    Flush();
                }
            }
        }

        public ISpilledRun<TRecord> Complete()
        {
            Flush();
            _file.Flush();
            _done = true;
            Release();
            return new Run(_file, _key, _codec);
        }

        private void Flush()
        {
            if (_count == 0)
            {
                return;
            }

            var length = _codec.Encode(_pending.AsSpan(0, _count), _plain);
            BinaryPrimitives.WriteInt32LittleEndian(_record, length);
            var nonce = _record.AsSpan(4, NonceSize);
            nonce.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(nonce, _block++);
            _aes.Encrypt(nonce, _plain.AsSpan(0, length), _record.AsSpan(BlockHeaderSize, length), _record.AsSpan(4 + NonceSize, TagSize));
            _file.Write(_record, 0, BlockHeaderSize + length);
            _count = 0;
        }

        public void Dispose()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            _file.Dispose();
            CryptographicOperations.ZeroMemory(_key);
            Release();
        }

        private void Release()
        {
            _aes.Dispose();
            if (_pending.Length > 0)
            {
                // Cleared: pooled arrays outlive this writer, and these hold records kept off the disk for a reason.
                ArrayPool<TRecord>.Shared.Return(_pending, clearArray: true);
                ArrayPool<byte>.Shared.Return(_plain, clearArray: true);
                ArrayPool<byte>.Shared.Return(_record);
                _pending = [];
                _plain = [];
                _record = [];
            }
        }
    }

    /// <summary>A run on disk: blocks of [plaintext length][nonce][tag][ciphertext].</summary>
    private sealed class Run(FileStream file, byte[] key, IRunCodec<TRecord> codec) : ISpilledRun<TRecord>
    {
        public IRunReader<TRecord> OpenReader()
        {
            file.Position = 0;
            return new Reader(file, key, codec);
        }

        public void Dispose()
        {
            file.Dispose();
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private sealed class Reader(FileStream file, byte[] key, IRunCodec<TRecord> codec) : IRunReader<TRecord>
    {
        private readonly AesGcm _aes = new(key, TagSize);
        private readonly int _maxBytes = codec.MaxEncodedBytes(BlockRecords);
        private byte[] _record = ArrayPool<byte>.Shared.Rent(BlockHeaderSize + codec.MaxEncodedBytes(BlockRecords));
        private byte[] _decrypted = ArrayPool<byte>.Shared.Rent(codec.MaxEncodedBytes(BlockRecords));
        private TRecord[] _plain = ArrayPool<TRecord>.Shared.Rent(BlockRecords);

        public ArraySegment<TRecord> ReadBlock()
        {
            var header = _record.AsSpan(0, BlockHeaderSize);
            var got = file.ReadAtLeast(header, BlockHeaderSize, throwOnEndOfStream: false);
            if (got == 0)
            {
                return default;
            }

            var bytes = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (got < BlockHeaderSize || bytes <= 0 || bytes > _maxBytes)
            {
                throw new InvalidDataException("encrypted sort run is damaged");
            }

            var cipher = _record.AsSpan(BlockHeaderSize, bytes);
            file.ReadExactly(cipher);
            _aes.Decrypt(_record.AsSpan(4, NonceSize), cipher, _record.AsSpan(4 + NonceSize, TagSize), _decrypted.AsSpan(0, bytes));
            return new ArraySegment<TRecord>(_plain, 0, codec.Decode(_decrypted, bytes, _plain));
        }

        public void Dispose()
        {
            _aes.Dispose();
            if (_plain.Length > 0)
            {
                // Cleared: pooled arrays outlive this reader, and these hold records kept off the disk for a reason.
                ArrayPool<TRecord>.Shared.Return(_plain, clearArray: true);
                ArrayPool<byte>.Shared.Return(_decrypted, clearArray: true);
                ArrayPool<byte>.Shared.Return(_record);
                _plain = [];
                _decrypted = [];
                _record = [];
            }
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Spills runs as named files in a directory, as blocks of <c>[length u32][block]</c> laid out by the
/// <see cref="IRunCodec{TRecord}"/> (raw records unless told otherwise): a run is only ever read back by the process
/// that wrote it. For records that are keyed hashes or otherwise safe on disk in the clear.
/// </summary>
/// <param name="directory">Created on the first spill.</param>
/// <param name="fileName">The name of the n-th run this store writes (0-based); must be unique in the directory.</param>
/// <param name="codec">The block layout; null for raw records.</param>
public sealed class TempFileRuns<TRecord>(string directory, Func<int, string> fileName, IRunCodec<TRecord>? codec = null) : IRunStore<TRecord>
    where TRecord : unmanaged
{
    /// <summary>Records per block: a merge holds one decoded and one encoded block per open run (~140 KiB for 16-byte records).</summary>
    internal const int BlockRecords = 4096;

    private readonly IRunCodec<TRecord> _codec = codec ?? RawRunCodec<TRecord>.Instance;
    private int _written;

    public IRunWriter<TRecord> Create()
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName(Interlocked.Increment(ref _written) - 1));
        return new Writer(path, _codec);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Callers sweep their temp directory at the next start; a failed delete is not worth failing for.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class Writer : IRunWriter<TRecord>
    {
        private readonly string _path;
        private readonly IRunCodec<TRecord> _codec;
        private readonly FileStream _file;
        private TRecord[] _pending = ArrayPool<TRecord>.Shared.Rent(BlockRecords);
        private byte[] _encoded;
        private int _count;
        private bool _done;

        public Writer(string path, IRunCodec<TRecord> codec)
        {
            _path = path;
            _codec = codec;
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            _encoded = ArrayPool<byte>.Shared.Rent(4 + codec.MaxEncodedBytes(BlockRecords));
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
            _file.Dispose();
            _done = true;
            Release();
            return new Run(_path, _codec);
        }

        private void Flush()
        {
            if (_count == 0)
            {
                return;
            }

            var length = _codec.Encode(_pending.AsSpan(0, _count), _encoded.AsSpan(4));
            BinaryPrimitives.WriteInt32LittleEndian(_encoded, length);
            _file.Write(_encoded, 0, 4 + length);
            _count = 0;
        }

        public void Dispose()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            try
            {
                _file.Dispose();
            }
            catch (IOException)
            {
                // The last buffer could not be written (a full disk): the caller's error is the one to report.
            }

            TryDelete(_path);
            Release();
        }

        private void Release()
        {
            if (_pending.Length > 0)
            {
                ArrayPool<TRecord>.Shared.Return(_pending);
                ArrayPool<byte>.Shared.Return(_encoded);
                _pending = [];
                _encoded = [];
            }
        }
    }

    private sealed class Run(string path, IRunCodec<TRecord> codec) : ISpilledRun<TRecord>
    {
        public IRunReader<TRecord> OpenReader() => new Reader(path, codec);

        public void Dispose() => TryDelete(path);
    }

    private sealed class Reader : IRunReader<TRecord>
    {
        private readonly FileStream _file;
        private readonly IRunCodec<TRecord> _codec;
        private TRecord[] _block = ArrayPool<TRecord>.Shared.Rent(BlockRecords);
        private byte[] _encoded;

        public Reader(string path, IRunCodec<TRecord> codec)
        {
            _codec = codec;
            _encoded = ArrayPool<byte>.Shared.Rent(codec.MaxEncodedBytes(BlockRecords));
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }

        public ArraySegment<TRecord> ReadBlock()
        {
            Span<byte> header = stackalloc byte[4];
            var got = _file.ReadAtLeast(header, 4, throwOnEndOfStream: false);
            if (got == 0)
            {
                return default;
            }

            var length = got == 4 ? BinaryPrimitives.ReadInt32LittleEndian(header) : -1;
            if (length <= 0 || length > _encoded.Length)
            {
                throw new IOException($"{_file.Name}: sorted run is damaged");
            }

            if (_file.ReadAtLeast(_encoded.AsSpan(0, length), length, throwOnEndOfStream: false) != length)
            {
                throw new IOException($"{_file.Name}: sorted run is truncated");
            }

            return new ArraySegment<TRecord>(_block, 0, _codec.Decode(_encoded, length, _block));
        }

        public void Dispose()
        {
            _file.Dispose();
            if (_block.Length > 0)
            {
                ArrayPool<TRecord>.Shared.Return(_block);
                ArrayPool<byte>.Shared.Return(_encoded);
                _block = [];
                _encoded = [];
            }
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Leakwatch.Analysis;

/// <summary>
/// Collects valid phone numbers (E.164 digits) for the enumeration analysis within a memory budget. Past the
/// budget the buffer is sorted, de-duplicated and spilled as a run of AES-GCM blocks under a random key that
/// exists only in this process: no plaintext number, and no unkeyed function of one, ever reaches the disk.
/// Not thread-safe: one store per worker, combined with <see cref="Adopt"/>.
/// </summary>
internal sealed class PhoneNumberStore : IDisposable
{
    /// <summary>Numbers per encrypted block: 64 KiB of plaintext, so a merge over 150 runs reads in ~10 MiB.</summary>
    internal const int BlockNumbers = 8192;

    private const int InitialCapacity = 4096;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int BlockHeaderSize = 4 + NonceSize + TagSize;

    private readonly string _tempDirectory;
    private readonly int _capacity;
    private readonly List<SpilledRun> _runs = [];
    private ulong[] _buffer;
    private int _count;

    public PhoneNumberStore(long memoryBytes, string tempDirectory)
    {
        _capacity = (int)Math.Clamp(memoryBytes / sizeof(ulong), 16, Array.MaxLength);
        _tempDirectory = tempDirectory;
        _buffer = new ulong[Math.Min(InitialCapacity, _capacity)];
    }

    /// <summary>Numbers added (with repeats), including those adopted from other stores.</summary>
    public long Added { get; private set; }

    /// <summary>Runs written to disk so far.</summary>
    public int SpilledRuns => _runs.Count;

    public void Add(ulong e164)
    {
        if (_count == _buffer.Length)
        {
            MakeRoom();
        }

        _buffer[_count++] = e164;
        Added++;
    }

    /// <summary>Takes over everything <paramref name="other"/> holds; <paramref name="other"/> is left empty.</summary>
    public void Adopt(PhoneNumberStore other)
    {
        if (ReferenceEquals(other, this))
        {
            return;
        }

        _runs.AddRange(other._runs);
        other._runs.Clear();
        var added = Added + other.Added;
        for (var i = 0; i < other._count; i++)
        {
            Add(other._buffer[i]);
        }

        Added = added;
        other._count = 0;
        other.Added = 0;
    }

    /// <summary>Every number once, ascending. Consumes the store: call once, after the last <see cref="Add"/>.</summary>
    public SortedPhoneCursor OpenSortedDistinct()
    {
        var span = _buffer.AsSpan(0, _count);
        span.Sort();
        var distinct = Deduplicate(span);
        var sources = new List<IRunSource>(_runs.Count + 1) { new MemoryRun(_buffer, distinct) };
        foreach (var run in _runs)
        {
            sources.Add(run.OpenReader());
        }

        _runs.Clear();
        _count = 0;
        return new SortedPhoneCursor(sources);
    }

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            run.Dispose();
        }

        _runs.Clear();
        _count = 0;
    }

    private void MakeRoom()
    {
        if (_buffer.Length < _capacity)
        {
            Array.Resize(ref _buffer, (int)Math.Min(_capacity, (long)_buffer.Length * 2));
            return;
        }

        var span = _buffer.AsSpan(0, _count);
        span.Sort();
        var distinct = Deduplicate(span);
        // Heavy repetition shrinks a buffer a lot; spill only when de-duplication did not free enough room.
        if (distinct <= _capacity / 2)
        {
            _count = distinct;
            return;
        }

        _runs.Add(SpilledRun.Write(_tempDirectory, _buffer.AsSpan(0, distinct)));
        _count = 0;
    }

    private static int Deduplicate(Span<ulong> sorted)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        var w = 1;
        for (var r = 1; r < sorted.Length; r++)
        {
            if (sorted[r] != sorted[w - 1])
            {
                sorted[w++] = sorted[r];
            }
        }

        return w;
    }

    internal interface IRunSource : IDisposable
    {
        bool TryNext(out ulong value);
    }

    private sealed class MemoryRun(ulong[] values, int count) : IRunSource
    {
        private int _next;

        public bool TryNext(out ulong value)
        {
            if (_next < count)
            {
                value = values[_next++];
                return true;
            }

            value = 0;
            return false;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>A sorted run on disk: blocks of [plaintext length][nonce][tag][ciphertext].</summary>
    private sealed class SpilledRun : IDisposable
    {
        private readonly FileStream _file;
        private readonly byte[] _key;

        private SpilledRun(FileStream file, byte[] key)
        {
            _file = file;
            _key = key;
        }

        public static SpilledRun Write(string directory, ReadOnlySpan<ulong> sorted)
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"leakwatch-analysis-{Guid.NewGuid():N}.run");
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
            try
            {
                using var aes = new AesGcm(key, TagSize);
                var plain = new byte[BlockNumbers * sizeof(ulong)];
                var record = new byte[BlockHeaderSize + plain.Length];
                ulong block = 0;
                for (var start = 0; start < sorted.Length; start += BlockNumbers)
                {
                    var chunk = sorted.Slice(start, Math.Min(BlockNumbers, sorted.Length - start));
                    var bytes = chunk.Length * sizeof(ulong);
                    if (BitConverter.IsLittleEndian)
                    {
                        MemoryMarshal.AsBytes(chunk).CopyTo(plain);
                    }
                    else
                    {
                        for (var i = 0; i < chunk.Length; i++)
                        {
                            BinaryPrimitives.WriteUInt64LittleEndian(plain.AsSpan(i * 8), chunk[i]);
                        }
                    }

                    BinaryPrimitives.WriteInt32LittleEndian(record, bytes);
                    var nonce = record.AsSpan(4, NonceSize);
                    nonce.Clear();
                    BinaryPrimitives.WriteUInt64LittleEndian(nonce, block++);
                    aes.Encrypt(nonce, plain.AsSpan(0, bytes), record.AsSpan(BlockHeaderSize, bytes), record.AsSpan(4 + NonceSize, TagSize));
                    file.Write(record, 0, BlockHeaderSize + bytes);
                }

                CryptographicOperations.ZeroMemory(plain);
                file.Flush();
                return new SpilledRun(file, key);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        public IRunSource OpenReader()
        {
            _file.Position = 0;
            return new Reader(this);
        }

        public void Dispose()
        {
            _file.Dispose();
            CryptographicOperations.ZeroMemory(_key);
        }

        private sealed class Reader : IRunSource
        {
            private readonly SpilledRun _run;
            private readonly AesGcm _aes;
            private readonly byte[] _record = new byte[BlockHeaderSize + BlockNumbers * sizeof(ulong)];
            private readonly ulong[] _values = new ulong[BlockNumbers];
            private int _count;
            private int _next;

            public Reader(SpilledRun run)
            {
                _run = run;
                _aes = new AesGcm(run._key, TagSize);
            }

            public bool TryNext(out ulong value)
            {
                if (_next == _count && !ReadBlock())
                {
                    value = 0;
                    return false;
                }

                value = _values[_next++];
                return true;
            }

            private bool ReadBlock()
            {
                var file = _run._file;
                var header = _record.AsSpan(0, BlockHeaderSize);
                var got = file.ReadAtLeast(header, BlockHeaderSize, throwOnEndOfStream: false);
                if (got == 0)
                {
                    return false;
                }

                var bytes = BinaryPrimitives.ReadInt32LittleEndian(header);
                if (got < BlockHeaderSize || bytes <= 0 || bytes > BlockNumbers * sizeof(ulong) || bytes % sizeof(ulong) != 0)
                {
                    throw new InvalidDataException("analysis spill run is damaged");
                }

                var cipher = _record.AsSpan(BlockHeaderSize, bytes);
                file.ReadExactly(cipher);
                var plain = MemoryMarshal.AsBytes(_values.AsSpan(0, bytes / sizeof(ulong)));
                _aes.Decrypt(_record.AsSpan(4, NonceSize), cipher, _record.AsSpan(4 + NonceSize, TagSize), plain);
                if (!BitConverter.IsLittleEndian)
                {
                    for (var i = 0; i < bytes / sizeof(ulong); i++)
                    {
                        _values[i] = BinaryPrimitives.ReverseEndianness(_values[i]);
                    }
                }

                _count = bytes / sizeof(ulong);
                _next = 0;
                return true;
            }

            public void Dispose()
            {
                _aes.Dispose();
                _run.Dispose();
            }
        }
    }
}

/// <summary>Merges sorted runs into one ascending stream of distinct numbers. Dispose to release the runs.</summary>
internal sealed class SortedPhoneCursor : IDisposable
{
    private readonly List<PhoneNumberStore.IRunSource> _sources;
    private readonly PriorityQueue<int, ulong> _heap = new();
    private bool _started;
    private bool _hasLast;
    private ulong _last;

    internal SortedPhoneCursor(List<PhoneNumberStore.IRunSource> sources) => _sources = sources;

    public bool TryNext(out ulong value)
    {
        if (!_started)
        {
            _started = true;
            for (var i = 0; i < _sources.Count; i++)
            {
                if (_sources[i].TryNext(out var first))
                {
                    _heap.Enqueue(i, first);
                }
            }
        }

        while (_heap.TryDequeue(out var source, out var v))
        {
            if (_sources[source].TryNext(out var following))
            {
                _heap.Enqueue(source, following);
            }

            if (_hasLast && v == _last)
            {
                continue;
            }

            _hasLast = true;
            _last = v;
            value = v;
            return true;
        }

        value = 0;
        return false;
    }

    public void Dispose()
    {
        foreach (var s in _sources)
        {
            s.Dispose();
        }

        _sources.Clear();
    }
}

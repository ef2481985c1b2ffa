using System.Buffers;
using System.Runtime.InteropServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Spills runs as named files in a directory, records laid out as they are in memory: a run is only ever read back
/// by the process that wrote it. For records that are keyed hashes or otherwise safe on disk in the clear.
/// </summary>
/// <param name="directory">Created on the first spill.</param>
/// <param name="fileName">The name of the n-th run this store writes (0-based); must be unique in the directory.</param>
public sealed class TempFileRuns<TRecord>(string directory, Func<int, string> fileName) : IRunStore<TRecord>
    where TRecord : unmanaged
{
    /// <summary>Records a reader fetches per read.</summary>
    private const int BlockRecords = 8192;

    private int _written;

    public ISpilledRun<TRecord> Write(ReadOnlySpan<TRecord> sorted)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName(_written++));
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        try
        {
            using (file)
            {
                file.Write(MemoryMarshal.AsBytes(sorted));
            }
        }
        catch
        {
            TryDelete(path);
            throw;
        }

        return new Run(path);
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

    private sealed class Run(string path) : ISpilledRun<TRecord>
    {
        public IRunReader<TRecord> OpenReader() => new Reader(path);

        public void Dispose() => TryDelete(path);
    }

    private sealed class Reader : IRunReader<TRecord>
    {
        private readonly FileStream _file;
        private TRecord[] _block = ArrayPool<TRecord>.Shared.Rent(BlockRecords);

        public Reader(string path) =>
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);

        public unsafe ArraySegment<TRecord> ReadBlock()
        {
            var bytes = MemoryMarshal.AsBytes(_block.AsSpan(0, BlockRecords));
            var got = _file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got % sizeof(TRecord) != 0)
            {
                throw new IOException($"{_file.Name}: sorted run is truncated");
            }

            return new ArraySegment<TRecord>(_block, 0, got / sizeof(TRecord));
        }

        public void Dispose()
        {
            _file.Dispose();
            if (_block.Length > 0)
            {
                ArrayPool<TRecord>.Shared.Return(_block);
                _block = [];
            }
        }
    }
}

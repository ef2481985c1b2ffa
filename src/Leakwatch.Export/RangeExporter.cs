using System.Buffers;
using System.IO.Compression;
using Leakwatch.Passwords;

namespace Leakwatch.Export;

/// <summary>
/// Writes the 2 × 16⁵ range files and their <c>.gz</c> siblings, on every core. The body is the store's own
/// <see cref="PasswordRangeStore.WriteRange(PasswordHashMode, int, IBufferWriter{byte})"/> (the renderer
/// <c>serve</c> uses), and a range whose content hash equals the previous manifest's is neither rendered nor written.
/// Per worker: one body buffer and one gzip buffer, reused for every range; nothing is allocated per hash.
/// </summary>
internal sealed class RangeExporter(PasswordRangeStore store, string rangeDir, ExportManifest? previous, ExportManifest next, bool viaTemp, Func<int, bool>? include)
{
    /// <summary>Prefixes a worker takes at a time: large enough to keep the queue cheap, small enough to balance.</summary>
    private const int Chunk = 512;

    /// <summary>Which ranges were written, per mode.</summary>
    public bool[][] Written { get; } = [new bool[PasswordRangeStore.PrefixCount], new bool[PasswordRangeStore.PrefixCount]];

    public long WrittenCount;
    public long Bytes;

    public void Run(int threads, CancellationToken cancel)
    {
        foreach (var mode in (PasswordHashMode[])[PasswordHashMode.Sha1, PasswordHashMode.Ntlm])
        {
            Directory.CreateDirectory(Path.Combine(rangeDir, ExportLayout.ModeDir(mode)));
        }

        const int chunksPerMode = PasswordRangeStore.PrefixCount / Chunk;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel };
        Parallel.For(0, 2 * chunksPerMode, options, () => new Worker(), (chunk, _, worker) =>
        {
            var mode = chunk < chunksPerMode ? PasswordHashMode.Sha1 : PasswordHashMode.Ntlm;
            var first = chunk % chunksPerMode * Chunk;
            for (var p = first; p < first + Chunk; p++)
            {
                Export(worker, mode, p);
            }

            return worker;
        }, worker =>
        {
            Interlocked.Add(ref WrittenCount, worker.Written);
            Interlocked.Add(ref Bytes, worker.Bytes);
        });
    }

    private void Export(Worker worker, PasswordHashMode mode, int prefix)
    {
        var mi = ExportManifest.ModeIndex(mode);
        var hash = store.ContentHash(mode, prefix);
        next.Hashes[mi][prefix] = hash;
        if ((previous is not null && previous.Hashes[mi][prefix] == hash) || (include is not null && !include(prefix)))
        {
            return;
        }

        var body = worker.Body;
        body.ResetWrittenCount();
        store.WriteRange(mode, prefix, body);
        var gz = worker.Compress(body.WrittenSpan);
        var path = Path.Combine(rangeDir, ExportLayout.ModeDir(mode), ExportLayout.PrefixText(prefix));
        // The .gz first: nginx's gzip_static serves it whenever it exists, and it must never be older than the body.
        ExportFiles.Write(path + ".gz", gz, viaTemp);
        ExportFiles.Write(path, body.WrittenSpan, viaTemp);
        Written[mi][prefix] = true;
        worker.Written += 2;
        worker.Bytes += body.WrittenCount + gz.Length;
    }

    private sealed class Worker
    {
        private readonly MemoryStream _gzip = new(1 << 16);

        public ArrayBufferWriter<byte> Body { get; } = new(1 << 16);

        public long Written;
        public long Bytes;

        public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> body)
        {
            _gzip.SetLength(0);
            using (var z = new GZipStream(_gzip, RangeHeaders.GzipLevel, leaveOpen: true))
            {
                z.Write(body);
            }

            return _gzip.GetBuffer().AsSpan(0, (int)_gzip.Length);
        }
    }
}

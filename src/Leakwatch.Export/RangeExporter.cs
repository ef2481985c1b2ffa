using System.Buffers;
using System.IO.Compression;
using Leakwatch.Passwords;

namespace Leakwatch.Export;

/// <summary>
/// Writes the 2 × 16⁵ range files and their <c>.gz</c> siblings, on every core (workers start in different mode
/// directories: a file create holds its directory's lock). The body is the store's own
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
        using var sha1 = OpenModeDir(PasswordHashMode.Sha1);
        using var ntlm = OpenModeDir(PasswordHashMode.Ntlm);
        DirectoryWriter[] dirs = [sha1, ntlm];

        // A file create takes its directory's lock, so two workers in one directory mostly wait for each other:
        // worker w starts on mode w % 2 (its own directory) and helps with the other only when its own is done.
        const int chunksPerMode = PasswordRangeStore.PrefixCount / Chunk;
        var nextChunk = new int[2];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = new Thread[Math.Max(1, threads)];
        for (var w = 0; w < workers.Length; w++)
        {
            var first = w % 2;
            workers[w] = new Thread(() =>
            {
                var worker = new Worker();
                try
                {
                    for (var k = 0; k < 2; k++)
                    {
                        var mi = (first + k) % 2;
                        int chunk;
                        while ((chunk = Interlocked.Increment(ref nextChunk[mi]) - 1) < chunksPerMode && failures.IsEmpty)
                        {
                            cancel.ThrowIfCancellationRequested();
                            for (var p = chunk * Chunk; p < (chunk + 1) * Chunk; p++)
                            {
                                Export(worker, dirs[mi], mi, p);
                            }
                        }
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }

                Interlocked.Add(ref WrittenCount, worker.Written);
                Interlocked.Add(ref Bytes, worker.Bytes);
            })
            { IsBackground = true, Name = "export-" + w.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            workers[w].Start();
        }

        foreach (var t in workers)
        {
            t.Join();
        }

        if (failures.TryDequeue(out var failure))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private DirectoryWriter OpenModeDir(PasswordHashMode mode)
    {
        var dir = Path.Combine(rangeDir, ExportLayout.ModeDir(mode));
        Directory.CreateDirectory(dir);
        return new DirectoryWriter(dir);
    }

    private void Export(Worker worker, DirectoryWriter dir, int mi, int prefix)
    {
        var hash = store.ContentHash(mi == 1 ? PasswordHashMode.Ntlm : PasswordHashMode.Sha1, prefix);
        next.Hashes[mi][prefix] = hash;
        if ((previous is not null && previous.Hashes[mi][prefix] == hash) || (include is not null && !include(prefix)))
        {
            return;
        }

        var body = worker.Body;
        body.ResetWrittenCount();
        store.WriteRange(mi == 1 ? PasswordHashMode.Ntlm : PasswordHashMode.Sha1, prefix, body);
        var gz = worker.Compress(body.WrittenSpan);
        Span<char> name = stackalloc char[5];
        prefix.TryFormat(name, out _, "X5", System.Globalization.CultureInfo.InvariantCulture);
        // The .gz first: nginx's gzip_static serves it whenever it exists, and it must never be older than the body.
        dir.Write(name, ".gz", gz, viaTemp);
        dir.Write(name, default, body.WrittenSpan, viaTemp);
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

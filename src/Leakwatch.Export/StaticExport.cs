using System.Diagnostics;
using System.Text;
using Leakwatch.Core.Errors;
using Leakwatch.Passwords;
using Leakwatch.Storage;

namespace Leakwatch.Export;

/// <summary>
/// <c>leakwatch export --out DIR</c>: what needs no server, as static files (README, "Static export"). The password
/// ranges, byte for byte what <c>serve</c> answers without padding, with <c>.gz</c> siblings; the private buckets
/// of the published private index; the ETag manifest; the headers for nginx and for <c>_headers</c> hosts; and the
/// paths this run wrote or removed, for a CDN purge or an object-storage sync. A re-export rewrites only what changed.
/// </summary>
public static class StaticExport
{
    private const string LockName = ".lock";
    private const string StagingRanges = ".staging-range";

    public static ExportResult Run(ExportOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var outDir = Path.GetFullPath(options.OutDir);
        using var store = PasswordRangeStore.Open(options.DataDir)
            ?? throw new LeakwatchException(ErrorKind.DataDir, $"{Path.GetFullPath(options.DataDir)}: no password store to export (run `leakwatch ingest-passwords` first)");
        using var lockFile = Lock(outDir);
        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;

        var manifestPath = Path.Combine(outDir, ExportLayout.ManifestName);
        var rangeDir = Path.Combine(outDir, ExportLayout.RangeDir);
        var previous = ExportManifest.Read(manifestPath);
        if (previous is not null && !Directory.Exists(rangeDir))
        {
            previous = null; // a manifest without its files: write them all
        }

        // A first export writes under a staging name and renames the tree whole: no file is ever under a final name
        // half-written, and no per-file rename is spent on 4 × 16⁵ files that nobody can be reading yet.
        var fresh = previous is null && !Directory.Exists(rangeDir);
        var writeDir = fresh ? Path.Combine(outDir, StagingRanges) : rangeDir;
        if (fresh)
        {
            ExportFiles.DeleteTree(writeDir);
        }

        var next = new ExportManifest { PasswordGeneration = store.Generation };
        var ranges = new RangeExporter(store, writeDir, previous, next, viaTemp: !fresh, options.IncludePrefix);
        ranges.Run(threads, cancel);
        if (fresh)
        {
            Directory.Move(writeDir, rangeDir);
        }

        var buckets = BucketExporter.Run(options.DataDir, options.KeyFilePath, outDir, previous, threads, cancel);
        next.PrivateGeneration = buckets.Generation;
        next.PrivateBuckets = buckets.Buckets;

        WriteChanged(Path.Combine(outDir, ExportLayout.ChangedName), ranges, buckets);
        AtomicFile.Write(Path.Combine(outDir, ExportLayout.NginxHeadersName), Encoding.UTF8.GetBytes(ExportHeaders.NginxRangeHeaders));
        AtomicFile.Write(Path.Combine(outDir, "nginx-private-headers.conf"), Encoding.UTF8.GetBytes(ExportHeaders.NginxBucketHeaders));
        AtomicFile.Write(Path.Combine(outDir, ExportLayout.HeadersName), Encoding.UTF8.GetBytes(ExportHeaders.HeadersFile));
        next.WriteNginxMap(Path.Combine(outDir, ExportLayout.NginxETagsName));
        next.Write(manifestPath);

        var rangeFiles = 4L * PasswordRangeStore.PrefixCount;
        return new ExportResult
        {
            Written = ranges.WrittenCount + buckets.Written,
            Unchanged = rangeFiles - ranges.WrittenCount + buckets.Unchanged,
            Removed = buckets.RemovedPaths.Count,
            Seconds = clock.Elapsed.TotalSeconds,
            PasswordGeneration = store.Generation,
            PrivateGeneration = buckets.Generation,
            PrivateBuckets = buckets.Buckets,
            BytesWritten = ranges.Bytes,
            Full = previous is null,
        };
    }

    /// <summary>Creates the directory and holds its lock: one export at a time, and a clear error when it cannot be written.</summary>
    private static FileStream Lock(string outDir)
    {
        try
        {
            Directory.CreateDirectory(outDir);
            return new FileStream(Path.Combine(outDir, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new LeakwatchException(ErrorKind.Usage, $"--out {outDir}: cannot write the export there ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new LeakwatchException(ErrorKind.Usage, $"--out {outDir}: cannot write the export there ({e.Message})", e);
        }
    }

    /// <summary>Every URL path (relative to the export's root) written or removed by this run, one per line: a range
    /// and its <c>.gz</c>, then new private buckets, then removed ones.</summary>
    private static void WriteChanged(string path, RangeExporter ranges, BucketExporter.Outcome buckets)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20, leaveOpen: true);
            w.NewLine = "\n";
            foreach (var mode in (PasswordHashMode[])[PasswordHashMode.Sha1, PasswordHashMode.Ntlm])
            {
                var written = ranges.Written[ExportManifest.ModeIndex(mode)];
                for (var p = 0; p < written.Length; p++)
                {
                    if (written[p])
                    {
                        var file = ExportLayout.RangePath(mode, p);
                        w.WriteLine(file);
                        w.Write(file);
                        w.WriteLine(".gz");
                    }
                }
            }

            foreach (var p in buckets.WrittenPaths)
            {
                w.WriteLine(p);
            }

            foreach (var p in buckets.RemovedPaths)
            {
                w.WriteLine(p);
            }
        });
    }
}

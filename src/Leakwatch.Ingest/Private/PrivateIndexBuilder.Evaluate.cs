using System.Diagnostics;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Oprf;
using Leakwatch.Privacy.Private;

namespace Leakwatch.Ingest.Private;

public sealed partial class PrivateIndexBuilder
{
    /// <summary>Scratch space of one evaluating thread.</summary>
    private sealed class EvaluateScratch
    {
        public readonly HashSet<UInt128> Seen = [];
        public readonly byte[] Record = new byte[PrivateRecord.SerializedSize];
    }

    /// <summary>
    /// The OPRF phase: every spill chunk without an output is decrypted, its identifiers de-duplicated and evaluated
    /// (y = F(skS, x)) on all cores, and its output written sealed under a temporary name, fsynced and renamed: an
    /// output file is a checkpoint. The spill chunk is deleted once its output is durable.
    /// </summary>
    private void Evaluate(PrivateBuildState state, OprfServerKey key, PrivateBuildResult result, IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        Directory.CreateDirectory(_paths.SpillDir);
        Directory.CreateDirectory(_paths.OutputDir);
        var spillKey = SpillKey(state);
        var buildId = state.BuildIdBytes;
        var chunks = Directory.GetFiles(_paths.SpillDir, "*.lws").Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        var done = Directory.GetFiles(_paths.OutputDir, "*.lwo").Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet();
        var pending = new List<string>();
        foreach (var chunk in chunks)
        {
            if (done.Contains(chunk))
            {
                File.Delete(_paths.SpillPath(chunk)); // evaluated before a kill, not yet cleaned up
            }
            else
            {
                pending.Add(chunk);
            }
        }

        pending.Sort(StringComparer.Ordinal);
        result.Chunks = done.Count + pending.Count;
        result.ChunksResumed = done.Count;
        var spilled = state.Sources.Sum(s => s.SpilledIdentifiers);
        var total = result.Chunks == 0 ? 0 : spilled * pending.Count / result.Chunks;
        long evaluated = 0;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var report = new Lock();
        progress?.Report(new PrivateBuildProgress(PrivatePhase.Evaluating, 0, total));
        Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Workers), CancellationToken = ct },
            () => new EvaluateScratch(),
            (chunk, loop, scratch) =>
            {
                var n = EvaluateChunk(chunk, key, spillKey, buildId, scratch, ct);
                var sum = Interlocked.Add(ref evaluated, n);
                if (progress is not null)
                {
                    lock (report)
                    {
                        progress.Report(new PrivateBuildProgress(PrivatePhase.Evaluating, sum, Math.Max(total, sum)));
                    }
                }

                return scratch;
            },
            _ => { });
        FileSync.Directory(_paths.OutputDir);
        result.Evaluated = evaluated;
        result.EvaluateSeconds = clock.Elapsed.TotalSeconds;
        result.IdentifiersPerSecond = evaluated / Math.Max(1e-9, result.EvaluateSeconds);
        result.EvaluateCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        result.IdentifiersPerCoreSecond = evaluated / Math.Max(1e-9, result.EvaluateCpuSeconds);
    }

    private long EvaluateChunk(string chunk, OprfServerKey key, byte[] spillKey, byte[] buildId, EvaluateScratch scratch, CancellationToken ct)
    {
        var spillPath = _paths.SpillPath(chunk);
        var outPath = _paths.OutputPath(chunk);
        scratch.Seen.Clear();
        long n = 0;
        var record = new PrivateRecord();
        using (var reader = new SealedFileReader(spillPath, spillKey, buildId, PrivateBuildPaths.Tag(spillPath)))
        using (var writer = new SealedFileWriter(outPath, spillKey, buildId, PrivateBuildPaths.Tag(outPath)))
        {
            while (reader.TryReadFrame(out var frame))
            {
                ct.ThrowIfCancellationRequested();
                while (PrivateSpillWriter.TryRead(ref frame, out var k, out var input))
                {
                    if (!scratch.Seen.Add(k))
                    {
                        continue; // the same identifier again in this chunk: one evaluation is enough
                    }

                    key.Evaluate(input, record.Y);
                    record.BucketHash = PrivateProtocol.BucketHash(input);
                    record.KeyHigh = (ulong)(k >> 64);
                    record.KeyLow = (ulong)k;
                    record.Write(scratch.Record);
                    writer.Append(scratch.Record);
                    n++;
                }
            }

            writer.Complete(durable: true);
        }

        // The output's rename must be durable before the input goes.
        FileSync.Directory(_paths.OutputDir);
        File.Delete(spillPath);
        return n;
    }
}

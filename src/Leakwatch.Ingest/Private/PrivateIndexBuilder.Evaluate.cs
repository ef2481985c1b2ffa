using System.Diagnostics;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Privacy.Oprf;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Private;

public sealed partial class PrivateIndexBuilder
{
    /// <summary>Scratch space of one evaluating thread.</summary>
    private sealed class EvaluateScratch(IPrivateRandom random)
    {
        public readonly HashSet<UInt128> Seen = [];
        public readonly byte[] Record = new byte[PrivateRecord.SerializedHeaderSize + PrivateChain.MaxSize];
        public readonly byte[] Y = new byte[OprfSuite.OutputSize];
        public readonly BufferedPrivateRandom Random = new(random);
        public long NotInIndex;
    }

    /// <summary>
    /// The OPRF phase: every spill chunk without an output is decrypted, its identifiers de-duplicated and evaluated
    /// (y = F(skS, x)) on all cores, and each identifier's whole chain of entries written (its listed breaches from the
    /// exposure index, HKDF keychecks and pads, fresh nonces; none when no listed breach is left, which drops its old
    /// chain in the merge), so the merge has no cryptography left to do. A chunk's
    /// output is sealed under a temporary name, fsynced and renamed: an output file is a checkpoint. The spill chunk is
    /// deleted once its output is durable.
    /// </summary>
    private void Evaluate(PrivateBuildState state, OprfServerKey key, Manifest plain, PrivateBuildResult result,
        IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        Directory.CreateDirectory(_paths.SpillDir);
        Directory.CreateDirectory(_paths.OutputDir);
        var spillKey = SpillKey(state);
        var buildId = state.BuildIdBytes;
        var salt = state.SaltBytes;
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
        long notInIndex = 0;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var report = new Lock();
        using var plainIndex = _store.OpenPublished(plain);
        Func<UInt128, int[]> breachesOf = static _ => [];
        if (plainIndex is not null)
        {
            // A chain lists only breaches public search shows: a raw client keeps every id it decrypts, so a sensitive,
            // retired or removed breach's id must never be in an entry.
            var chainSets = ChainSets(plainIndex, ListedBreaches(plain, state.Hidden));
            breachesOf = k => plainIndex.FindSetId(k) is var set and >= 0 ? chainSets[set] : [];
        }

        progress?.Report(new PrivateBuildProgress(PrivatePhase.Evaluating, 0, total));
        Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Workers), CancellationToken = ct },
            () => new EvaluateScratch(_options.Random),
            (chunk, loop, scratch) =>
            {
                var n = EvaluateChunk(chunk, key, salt, breachesOf, spillKey, buildId, scratch, ct);
                TestKillPoint.Reached("oprf");
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
            scratch => Interlocked.Add(ref notInIndex, scratch.NotInIndex));
        FileSync.Directory(_paths.OutputDir);
        result.Evaluated = evaluated;
        result.NotInIndex = notInIndex;
        result.EvaluateSeconds = clock.Elapsed.TotalSeconds;
        result.IdentifiersPerSecond = evaluated / Math.Max(1e-9, result.EvaluateSeconds);
        result.EvaluateCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        result.IdentifiersPerCoreSecond = evaluated / Math.Max(1e-9, result.EvaluateCpuSeconds);
    }

    private long EvaluateChunk(string chunk, OprfServerKey key, byte[] salt, Func<UInt128, int[]> breachesOf, byte[] spillKey, byte[] buildId,
        EvaluateScratch scratch, CancellationToken ct)
    {
        var spillPath = _paths.SpillPath(chunk);
        var outPath = _paths.OutputPath(chunk);
        scratch.Seen.Clear();
        long n = 0;
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

                    key.Evaluate(input, scratch.Y);
                    var breaches = breachesOf(k);
                    if (breaches.Length == 0)
                    {
                        scratch.NotInIndex++;
                    }

                    var record = scratch.Record.AsSpan();
                    var length = PrivateChain.Encode(scratch.Y, salt, breaches, scratch.Random, record[PrivateRecord.SerializedHeaderSize..]);
                    PrivateRecord.WriteHeader(record, PrivateProtocol.BucketHash(input), PrivateProtocol.SectionOf(input), k, length);
                    writer.Append(record[..(PrivateRecord.SerializedHeaderSize + length)]);
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

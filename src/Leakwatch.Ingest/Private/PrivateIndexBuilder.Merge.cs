using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Private;

public sealed partial class PrivateIndexBuilder
{
    /// <summary>
    /// The merge: the chains sorted by bucket (in memory, or partitioned on disk by the top bits of their bucket when
    /// they exceed the memory budget), then two passes over the buckets: the first finds the fullest bucket
    /// (bucketEntries is the same for all, so it must be known before anything is written), the second writes.
    /// Then fsync, swap the private manifest, delete the old generation.
    /// </summary>
    private void Merge(PrivateBuildState state, OprfServerKey key, Manifest plain, PrivateBuildResult result,
        IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        var current = _private.ReadManifest();
        var old = OpenPrevious(state, current);
        var salt = state.SaltBytes;
        using var oldIndex = old;
        var bits = old?.BucketBits ?? PrivateProtocol.BucketBitsFor(state.Sources.Sum(s => s.Distinct));
        var source = new RecordSource(this, state, OutputFiles(out var bytes), bits, PartitionBitsFor(bytes, bits));
        result.Partitions = source.Partitions;
        var assembler = new PrivateBucketAssembler(key, salt, bits, old, _options.Random);
        var buckets = 1L << bits;
        long processed = 0;
        void Tick()
        {
            if ((++processed & 0x3FF) == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report(new PrivateBuildProgress(PrivatePhase.Merging, processed, 2 * buckets));
            }
        }

        var bucketEntries = PrivateProtocol.BucketEntriesFor(FullestBucket(source, assembler, bits, Tick));
        TestKillPoint.Reached("private-merging"); // the first pass is over; the new generation's buckets are written next
        ct.ThrowIfCancellationRequested();
        var generation = (current?.Generation ?? 0) + 1;
        var path = _private.NewIndexPath(generation);
        long real;
        using (var writer = new PrivateIndexWriter(path, bits, bucketEntries, salt, key.KeyId, generation))
        {
            real = WriteBuckets(writer, source, assembler, bits, bucketEntries, Tick);
            progress?.Report(new PrivateBuildProgress(PrivatePhase.Publishing, 0, 0));
            FileSync.Directory(_private.Dir);
            var next = NextManifest(state, key, plain, current, writer, generation, bits, bucketEntries, real);
            ct.ThrowIfCancellationRequested();
            // Recorded before the swap, so that a kill after it finds this build published and does not merge again.
            state.PublishedChecksum = next.Checksum;
            _paths.Write(state);
            _private.Publish(next);
            TestKillPoint.Reached("private-published");
            FillFromManifest(result, next);
        }

        oldIndex?.Dispose();
        _private.CollectGarbage(_private.ReadManifest());
        result.Indexed = assembler.Indexed;
        result.ReplacedEntries = assembler.Replaced;
        WarnAboutShape(result, real / (double)buckets, bits, bucketEntries);
    }

    /// <summary>The published generation this build merges into, or null when it starts afresh.</summary>
    private PrivateIndexReader? OpenPrevious(PrivateBuildState state, PrivateManifest? current)
    {
        if (state.Fresh || current is null)
        {
            return null;
        }

        if (current.IsWithdrawn)
        {
            _paths.Delete();
            throw new PrivateBuildException($"{_private.ManifestPath}: {WithdrawnNotice} ({current.Withdrawn}); build discarded");
        }

        if (current.KeyId != state.KeyId || current.Salt != state.Salt)
        {
            _paths.Delete();
            throw new PrivateBuildException($"the private index was rebuilt (key id {current.KeyId}) while this build waited; build discarded, run it again");
        }

        return _private.OpenPublished(current);
    }

    /// <summary>The OPRF phase's output files, in name order, and their total size.</summary>
    private string[] OutputFiles(out long bytes)
    {
        var outputs = Directory.Exists(_paths.OutputDir) ? Directory.GetFiles(_paths.OutputDir, "*.lwo") : [];
        Array.Sort(outputs, StringComparer.Ordinal);
        bytes = outputs.Sum(f => new FileInfo(f).Length);
        return outputs;
    }

    /// <summary>How many top bucket bits split the records into partitions that fit the memory budget.</summary>
    private int PartitionBitsFor(long bytes, int bits)
    {
        // Each record is about 24 bytes of sort key beside its chain in the arena; a partition stays under 1 GB (arrays).
        var bytesNeeded = bytes + bytes / 3;
        var budget = Math.Clamp((long)_options.MemoryMegabytes << 20, 1L << 20, 1L << 30);
        var partitionBits = 0;
        while (partitionBits < bits && (bytesNeeded >> partitionBits) > budget)
        {
            partitionBits++;
        }

        return partitionBits;
    }

    /// <summary>Pass 1: the real entries of the fullest bucket.</summary>
    private static int FullestBucket(RecordSource source, PrivateBucketAssembler assembler, int bits, Action tick)
    {
        var fullest = 0;
        for (var p = 0; p < source.Partitions; p++)
        {
            var part = source.Load(p);
            ForEachBucket(part, source.FirstBucket(p), source.FirstBucket(p + 1), bits, (b, inBucket, chains) =>
            {
                fullest = Math.Max(fullest, assembler.CountReal(b, inBucket, chains));
                tick();
            });
        }

        return fullest;
    }

    /// <summary>Pass 2: every bucket, in order; returns the real entries written.</summary>
    private static long WriteBuckets(PrivateIndexWriter writer, RecordSource source, PrivateBucketAssembler assembler, int bits,
        int bucketEntries, Action tick)
    {
        long real = 0;
        var buffer = new byte[bucketEntries * PrivateProtocol.EntrySize];
        for (var p = 0; p < source.Partitions; p++)
        {
            var part = source.Load(p);
            ForEachBucket(part, source.FirstBucket(p), source.FirstBucket(p + 1), bits, (b, inBucket, chains) =>
            {
                real += assembler.Assemble(b, inBucket, chains, bucketEntries, buffer);
                writer.WriteBucket(buffer);
                tick();
            });
        }

        writer.Complete(real);
        return real;
    }

    /// <summary>The manifest of the generation just written: the breaches still published, with this build's sources
    /// replacing their earlier entries.</summary>
    private PrivateManifest NextManifest(PrivateBuildState state, OprfServerKey key, Manifest plain, PrivateManifest? current,
        PrivateIndexWriter writer, long generation, int bits, int bucketEntries, long real)
    {
        var publishedIds = new HashSet<int>(plain.Breaches);
        var breaches = state.Fresh || current is null ? [] : current.Breaches.FindAll(b => publishedIds.Contains(b.Id));
        var now = DateTimeOffset.UtcNow;
        foreach (var s in state.Sources)
        {
            breaches.RemoveAll(b => b.Id == s.BreachId);
            breaches.Add(new PrivateBreachSource { Id = s.BreachId, Name = s.Breach, Source = s.Source, Indexed = now });
        }

        breaches.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new PrivateManifest
        {
            Generation = generation,
            Index = Path.GetRelativePath(_private.DataDir, writer.Path),
            IndexBytes = new FileInfo(writer.Path).Length,
            Checksum = PrivateIndexStore.ChecksumText(writer.EntriesChecksum),
            KeyId = key.KeyId,
            BucketBits = bits,
            BucketEntries = bucketEntries,
            Salt = state.Salt,
            RealEntries = real,
            Breaches = breaches,
            Published = now,
        };
    }

    private static void WarnAboutShape(PrivateBuildResult result, double average, int bits, int bucketEntries)
    {
        if (average > 2 * PrivateProtocol.TargetOccupancy)
        {
            result.Warnings.Add($"buckets hold {average:F0} real entries on average (bucketBits {bits} was chosen for {PrivateProtocol.TargetOccupancy}); "
                + "rebuild to re-choose it ('leakwatch keys rotate-oprf' rebuilds from the recorded sources)");
        }

        if (bucketEntries * PrivateProtocol.EntrySize * 4L / 3 > 60_000)
        {
            result.Warnings.Add($"a bucket is {bucketEntries} entries, so an evaluate response exceeds 60 KB; rebuild ('leakwatch keys rotate-oprf') to re-choose bucketBits");
        }
    }

    /// <summary>One partition's records, sorted, and the arena their chains live in.</summary>
    private readonly record struct Partition(PrivateRecord[] Records, int Count, byte[] Chains);

    private delegate void BucketAction(int bucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains);

    /// <summary>Calls <paramref name="action"/> for every bucket in [first, end), with that bucket's records (possibly none).</summary>
    private static void ForEachBucket(Partition part, long first, long end, int bits, BucketAction action)
    {
        ReadOnlySpan<PrivateRecord> records = part.Records.AsSpan(0, part.Count);
        var at = 0;
        for (var b = first; b < end; b++)
        {
            var start = at;
            while (at < records.Length && PrivateProtocol.BucketOf(records[at].BucketHash, bits) == b)
            {
                at++;
            }

            action((int)b, records.Slice(start, at - start), part.Chains);
        }

        if (at != records.Length)
        {
            throw new InvalidOperationException("records outside their partition's buckets");
        }
    }

    /// <summary>
    /// The evaluated identifiers, sorted by (bucket hash, key), whole or one partition at a time. With partitions,
    /// one streaming pass over the outputs scatters records into sealed partition files by the top bits of their
    /// bucket hash; each partition is then small enough to sort in memory.
    /// </summary>
    private sealed class RecordSource
    {
        private readonly PrivateIndexBuilder _builder;
        private readonly byte[] _key;
        private readonly byte[] _buildId;
        private readonly string[] _outputs;
        private readonly int _bits;
        private readonly int _partitionBits;
        private Partition? _all;

        public RecordSource(PrivateIndexBuilder builder, PrivateBuildState state, string[] outputs, int bits, int partitionBits)
        {
            _builder = builder;
            _key = builder.SpillKey(state);
            _buildId = state.BuildIdBytes;
            _outputs = outputs;
            _bits = bits;
            _partitionBits = partitionBits;
            if (partitionBits > 0)
            {
                Scatter();
            }
        }

        public int Partitions => 1 << _partitionBits;

        public long FirstBucket(int partition) => (long)partition << (_bits - _partitionBits);

        public Partition Load(int partition)
        {
            if (_partitionBits == 0)
            {
                return _all ??= Sorted(_outputs);
            }

            return Sorted([PartitionPath(partition)]);
        }

        private string PartitionPath(int p) => Path.Combine(_builder._paths.PartitionDir, $"p{p:D6}.lwt");

        /// <summary>Reads the files' records: chains into one arena sized from the files (an upper bound), sort keys
        /// into an array grown as needed, then sorted.</summary>
        private Partition Sorted(string[] files)
        {
            long bytes = 0;
            foreach (var f in files)
            {
                bytes += new FileInfo(f).Length;
            }

            var chains = new byte[bytes];
            var records = new PrivateRecord[Math.Max(16, bytes / 80)];
            var n = 0;
            var used = 0;
            foreach (var file in files)
            {
                using var reader = new SealedFileReader(file, _key, _buildId, PrivateBuildPaths.Tag(file));
                while (reader.TryReadFrame(out var frame))
                {
                    while (frame.Length >= PrivateRecord.SerializedHeaderSize)
                    {
                        var r = PrivateRecord.ReadHeader(frame);
                        r.ChainOffset = used;
                        frame.Slice(PrivateRecord.SerializedHeaderSize, r.ChainLength).CopyTo(chains.AsSpan(used));
                        used += r.ChainLength;
                        frame = frame[(PrivateRecord.SerializedHeaderSize + r.ChainLength)..];
                        if (n == records.Length)
                        {
                            Array.Resize(ref records, 2 * records.Length);
                        }

                        records[n++] = r;
                    }
                }
            }

            records.AsSpan(0, n).Sort(PrivateRecord.Compare);
            return new Partition(records, n, chains);
        }

        private void Scatter()
        {
            var dir = _builder._paths.PartitionDir;
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            Directory.CreateDirectory(dir);
            var writers = new SealedFileWriter[Partitions];
            try
            {
                for (var p = 0; p < writers.Length; p++)
                {
                    var path = PartitionPath(p);
                    writers[p] = new SealedFileWriter(path, _key, _buildId, PrivateBuildPaths.Tag(path), frameSize: 256 * 1024);
                }

                foreach (var file in _outputs)
                {
                    using var reader = new SealedFileReader(file, _key, _buildId, PrivateBuildPaths.Tag(file));
                    while (reader.TryReadFrame(out var frame))
                    {
                        while (frame.Length >= PrivateRecord.SerializedHeaderSize)
                        {
                            var r = PrivateRecord.ReadHeader(frame);
                            var size = PrivateRecord.SerializedHeaderSize + r.ChainLength;
                            writers[(int)(r.BucketHash >> (32 - _partitionBits))].Append(frame[..size]);
                            frame = frame[size..];
                        }
                    }
                }

                foreach (var w in writers)
                {
                    w.Complete(durable: false); // not a checkpoint: a resumed build scatters again
                }
            }
            finally
            {
                foreach (var w in writers)
                {
                    w?.Dispose();
                }
            }
        }
    }
}

using System.Runtime.InteropServices;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Private;

public sealed partial class PrivateIndexBuilder
{
    /// <summary>
    /// The merge: the chains sorted by bucket (in memory, or partitioned on disk by bucket range when they exceed the
    /// memory budget), then two passes over the buckets: the first finds the fullest bucket (bucketEntries is the same
    /// for all, so it must be known before anything is written), the second writes. Then fsync, swap the private
    /// manifest, delete the old generation. The layout keeps the previous generation's sections and adds one for each
    /// new calling code (and emails on a first build), sized by its identifiers and bounded by its numbering plan.
    /// </summary>
    private void Merge(PrivateBuildState state, OprfServerKey key, Manifest plain, PrivateBuildResult result,
        IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        var current = _private.ReadManifest(outdatedAsAbsent: true);
        var old = OpenPrevious(state, current, key);
        var salt = state.SaltBytes;
        using var oldIndex = old;
        var outputs = OutputFiles(out var bytes);
        var source = new RecordSource(this, state, outputs, PartitionBitsFor(bytes), old?.Layout);
        var layout = source.Layout;
        result.Partitions = source.Partitions;
        var assembler = new PrivateBucketAssembler(key, salt, old, _options.Random);
        var buckets = layout.BucketCount;
        long processed = 0;
        void Tick()
        {
            if ((++processed & 0x3FF) == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report(new PrivateBuildProgress(PrivatePhase.Merging, processed, 2 * buckets));
            }
        }

        var bucketEntries = PrivateProtocol.BucketEntriesFor(FullestBucket(source, assembler, old?.Layout, Tick));
        TestKillPoint.Reached("private-merging"); // the first pass is over; the new generation's buckets are written next
        ct.ThrowIfCancellationRequested();
        var generation = (current?.Generation ?? 0) + 1;
        var path = _private.NewIndexPath(generation);
        long real;
        using (var writer = new PrivateIndexWriter(path, layout, bucketEntries, salt, key, generation, _options.Random))
        {
            real = WriteBuckets(writer, source, assembler, old?.Layout, bucketEntries, Tick);
            progress?.Report(new PrivateBuildProgress(PrivatePhase.Publishing, 0, 0));
            FileSync.Directory(_private.Dir);
            var next = NextManifest(state, key, plain, current, writer, layout, generation, bucketEntries);
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
        result.RealEntries = real;
        result.Indexed = assembler.Indexed;
        result.ReplacedEntries = assembler.Replaced;
        WarnAboutShape(result, source.Counts, layout, bucketEntries);
    }

    /// <summary>The published generation this build merges into, or null when it starts afresh.</summary>
    private PrivateIndexReader? OpenPrevious(PrivateBuildState state, PrivateManifest? current, OprfServerKey key)
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

        return _private.OpenPublished(current, key);
    }

    /// <summary>The next layout: the previous one's sections, plus a section for every section the records bring that
    /// it lacks, with bits for about 512 identifiers a bucket, within the section's bound (emails 24; a calling code
    /// its plan's, so each bucket holds ≥ 10,000 possible numbers). Emails always have a section.</summary>
    internal static PrivateLayout ChooseLayout(PrivateLayout? old, IReadOnlyDictionary<int, long> counts)
    {
        var sections = new Dictionary<int, int>();
        foreach (var s in old?.Sections ?? [])
        {
            sections[s.Code] = s.Bits;
        }

        foreach (var (code, count) in counts)
        {
            if (!sections.ContainsKey(code))
            {
                sections[code] = PrivateProtocol.SectionBitsFor(code, count);
            }
        }

        sections.TryAdd(0, 0);
        return new PrivateLayout(sections.Select(kv => (kv.Key, kv.Value)));
    }

    /// <summary>The OPRF phase's output files, in name order, and their total size.</summary>
    private string[] OutputFiles(out long bytes)
    {
        var outputs = Directory.Exists(_paths.OutputDir) ? Directory.GetFiles(_paths.OutputDir, "*.lwo") : [];
        Array.Sort(outputs, StringComparer.Ordinal);
        bytes = outputs.Sum(f => new FileInfo(f).Length);
        return outputs;
    }

    /// <summary>Into how many bucket ranges (a power of two) the records are split to fit the memory budget.</summary>
    private int PartitionBitsFor(long bytes)
    {
        // Each record is about 40 bytes of sort key beside its chain in the arena; a partition stays under 1 GB (arrays).
        var bytesNeeded = bytes + bytes / 2;
        var budget = Math.Clamp((long)_options.MemoryMegabytes << 20, 1L << 20, 1L << 30);
        var partitionBits = 0;
        while (partitionBits < 20 && (bytesNeeded >> partitionBits) > budget)
        {
            partitionBits++;
        }

        return partitionBits;
    }

    /// <summary>Pass 1: the real entries of the fullest bucket.</summary>
    private static int FullestBucket(RecordSource source, PrivateBucketAssembler assembler, PrivateLayout? old, Action tick)
    {
        var fullest = 0;
        var layout = source.Layout;
        for (var p = 0; p < source.Partitions; p++)
        {
            var part = source.Load(p);
            ForEachBucket(part, source.FirstBucket(p), source.FirstBucket(p + 1), (b, inBucket, chains) =>
            {
                var (stable, previous) = BucketIds(layout, old, b);
                fullest = Math.Max(fullest, assembler.CountReal(stable, previous, inBucket, chains));
                tick();
            });
        }

        return fullest;
    }

    /// <summary>Pass 2: every bucket, in order; returns the real entries written.</summary>
    private static long WriteBuckets(PrivateIndexWriter writer, RecordSource source, PrivateBucketAssembler assembler, PrivateLayout? old,
        int bucketEntries, Action tick)
    {
        long real = 0;
        var layout = source.Layout;
        var buffer = new byte[bucketEntries * PrivateProtocol.EntrySize];
        for (var p = 0; p < source.Partitions; p++)
        {
            var part = source.Load(p);
            ForEachBucket(part, source.FirstBucket(p), source.FirstBucket(p + 1), (b, inBucket, chains) =>
            {
                var (stable, previous) = BucketIds(layout, old, b);
                real += assembler.Assemble(stable, previous, inBucket, chains, bucketEntries, buffer);
                writer.WriteBucket(buffer);
                tick();
            });
        }

        writer.Complete();
        return real;
    }

    /// <summary>A bucket's stable id (for its dummies) and its number in the previous generation (-1: a new section).</summary>
    private static (long Stable, long Previous) BucketIds(PrivateLayout layout, PrivateLayout? old, long bucket)
    {
        var section = layout.SectionOfBucket(bucket);
        var previous = old is not null && old.TryGetSection(section.Code, out var before) ? before.First + (bucket - section.First) : -1;
        return (section.StableId(bucket), previous);
    }

    /// <summary>The manifest of the generation just written: the breaches still published, with this build's sources
    /// replacing their earlier entries. No count of real entries: it would show in clear what a new breach added.</summary>
    private PrivateManifest NextManifest(PrivateBuildState state, OprfServerKey key, Manifest plain, PrivateManifest? current,
        PrivateIndexWriter writer, PrivateLayout layout, long generation, int bucketEntries)
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
            Sections = PrivateManifest.SectionsOf(layout),
            BucketEntries = bucketEntries,
            Salt = state.Salt,
            Breaches = breaches,
            Published = now,
        };
    }

    /// <summary>Warns when this build's identifiers crowd a section's buckets past twice the designed occupancy (a
    /// merge keeps bits), or a bucket past a 60 KB response.</summary>
    private static void WarnAboutShape(PrivateBuildResult result, IReadOnlyDictionary<int, long> counts, PrivateLayout layout, int bucketEntries)
    {
        foreach (var (code, count) in counts)
        {
            if (layout.TryGetSection(code, out var s) && count / (double)s.Buckets > 2 * PrivateProtocol.TargetOccupancy
                && s.Bits < PrivateProtocol.MaxSectionBits(code))
            {
                result.Warnings.Add($"{(code == 0 ? "email" : "+" + code.ToString(System.Globalization.CultureInfo.InvariantCulture))} buckets get {count / (double)s.Buckets:F0} new entries each "
                    + $"(bucketBits {s.Bits} was chosen for {PrivateProtocol.TargetOccupancy}); rebuild to re-choose it ('leakwatch keys rotate-oprf' rebuilds from the recorded sources)");
            }
        }

        if (bucketEntries * PrivateProtocol.EntrySize * 4L / 3 > 60_000)
        {
            result.Warnings.Add($"a bucket is {bucketEntries} entries, so an evaluate response exceeds 60 KB; rebuild ('leakwatch keys rotate-oprf') to re-choose bucketBits");
        }
    }

    /// <summary>One partition's records, sorted, and the arena their chains live in.</summary>
    private readonly record struct Partition(PrivateRecord[] Records, int Count, byte[] Chains);

    private delegate void BucketAction(long bucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains);

    /// <summary>Calls <paramref name="action"/> for every bucket in [first, end), with that bucket's records (possibly none).</summary>
    private static void ForEachBucket(Partition part, long first, long end, BucketAction action)
    {
        ReadOnlySpan<PrivateRecord> records = part.Records.AsSpan(0, part.Count);
        var at = 0;
        for (var b = first; b < end; b++)
        {
            var start = at;
            while (at < records.Length && records[at].Bucket == b)
            {
                at++;
            }

            action(b, records.Slice(start, at - start), part.Chains);
        }

        if (at != records.Length)
        {
            throw new InvalidOperationException("records outside their partition's buckets");
        }
    }

    /// <summary>
    /// The evaluated identifiers, sorted by (global bucket, key), whole or one bucket range at a time. The layout
    /// needs each section's identifier count first: in memory they are counted once loaded; with partitions, a first
    /// streaming pass over the outputs counts them, and a second scatters records into sealed partition files by
    /// bucket range, each then small enough to sort in memory.
    /// </summary>
    private sealed class RecordSource
    {
        private readonly PrivateIndexBuilder _builder;
        private readonly byte[] _key;
        private readonly byte[] _buildId;
        private readonly string[] _outputs;
        private readonly int _partitionBits;
        private readonly Partition? _all;
        private readonly Dictionary<int, long> _counts = [];

        public RecordSource(PrivateIndexBuilder builder, PrivateBuildState state, string[] outputs, int partitionBits, PrivateLayout? old)
        {
            _builder = builder;
            _key = builder.SpillKey(state);
            _buildId = state.BuildIdBytes;
            _outputs = outputs;
            _partitionBits = partitionBits;
            if (partitionBits == 0)
            {
                var all = Read(outputs);
                foreach (ref readonly var r in all.Records.AsSpan(0, all.Count))
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(_counts, r.Section, out _)++;
                }

                Layout = ChooseLayout(old, _counts);
                _all = Sorted(all);
            }
            else
            {
                ForEachRecord(outputs, (r, serialized) => CollectionsMarshal.GetValueRefOrAddDefault(_counts, r.Section, out var exists)++);
                Layout = ChooseLayout(old, _counts);
                Scatter();
            }
        }

        public PrivateLayout Layout { get; }

        /// <summary>Identifiers of this build per section (0: emails, else the calling code).</summary>
        public IReadOnlyDictionary<int, long> Counts => _counts;

        public int Partitions => 1 << _partitionBits;

        /// <summary>ceil(p · buckets / partitions): partition p holds the buckets b with floor(b · partitions / buckets) = p.</summary>
        public long FirstBucket(int partition) => ((long)partition * Layout.BucketCount + Partitions - 1) / Partitions;

        private int PartitionOf(long bucket) => (int)(bucket * Partitions / Layout.BucketCount);

        public Partition Load(int partition) => _all ?? Sorted(Read([PartitionPath(partition)]));

        private string PartitionPath(int p) => Path.Combine(_builder._paths.PartitionDir, $"p{p:D6}.lwt");

        private delegate void RecordAction(PrivateRecord record, ReadOnlySpan<byte> serialized);

        private void ForEachRecord(string[] files, RecordAction action)
        {
            foreach (var file in files)
            {
                using var reader = new SealedFileReader(file, _key, _buildId, PrivateBuildPaths.Tag(file));
                while (reader.TryReadFrame(out var frame))
                {
                    while (frame.Length >= PrivateRecord.SerializedHeaderSize)
                    {
                        var r = PrivateRecord.ReadHeader(frame);
                        var size = PrivateRecord.SerializedHeaderSize + r.ChainLength;
                        action(r, frame[..size]);
                        frame = frame[size..];
                    }
                }
            }
        }

        /// <summary>Reads the files' records: chains into one arena sized from the files (an upper bound), sort keys
        /// into an array grown as needed.</summary>
        private static Partition ReadInto(RecordSource source, string[] files)
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
            source.ForEachRecord(files, (r, serialized) =>
            {
                r.ChainOffset = used;
                serialized[PrivateRecord.SerializedHeaderSize..].CopyTo(chains.AsSpan(used));
                used += r.ChainLength;
                if (n == records.Length)
                {
                    Array.Resize(ref records, 2 * records.Length);
                }

                records[n++] = r;
            });
            return new Partition(records, n, chains);
        }

        private Partition Read(string[] files) => ReadInto(this, files);

        /// <summary>Gives every record its global bucket, then sorts by (bucket, key).</summary>
        private Partition Sorted(Partition part)
        {
            var records = part.Records.AsSpan(0, part.Count);
            for (var i = 0; i < records.Length; i++)
            {
                records[i].Bucket = Layout.BucketOf(records[i].Section, records[i].BucketHash);
            }

            records.Sort(PrivateRecord.Compare);
            return part;
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

                ForEachRecord(_outputs, (r, serialized) =>
                    writers[PartitionOf(Layout.BucketOf(r.Section, r.BucketHash))].Append(serialized));
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

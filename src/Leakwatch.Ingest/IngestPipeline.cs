using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Leakwatch.Analysis;
using Leakwatch.Catalog;
using Leakwatch.Core;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Reading;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest;

/// <summary>
/// dump → read → normalize → key → sort/spill → merge into the index → publish. The reader runs on its own
/// thread and hands batches to normalization workers; each worker owns its sorters, so the hot path takes
/// no locks. Nothing is published unless every step succeeds.
/// </summary>
public sealed class IngestPipeline
{
    private readonly IndexStore _store;
    private readonly KeyFile _keys;

    public IngestPipeline(IndexStore store, KeyFile keys)
    {
        _store = store;
        _keys = keys;
    }

    public IngestStats Run(string path, IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken ct = default)
    {
        ValidateName(options.BreachName);
        using var writeLock = options.DryRun ? null : _store.LockForWrite();
        var manifest = _store.ReadManifest();
        if (manifest.KeyId is not null && manifest.KeyId != _keys.KeyId)
        {
            throw new KeyFileException($"{_keys.Path}: key file does not match the index (key id {_keys.KeyId}, index built with {manifest.KeyId})");
        }

        using var catalog = options.DryRun ? null : BreachCatalog.Open(_store.DataDir);
        if (catalog is not null)
        {
            catalog.DeleteUnpublished(manifest.Breaches);
            _store.CollectGarbage(manifest);
            foreach (var b in catalog.All())
            {
                if (string.Equals(b.Name, options.BreachName, StringComparison.OrdinalIgnoreCase))
                {
                    throw new IngestException($"breach '{b.Name}' already exists; remove it first with `leakwatch remove {b.Name}`");
                }
            }
        }

        var breachNames = BreachNames(manifest, catalog);
        if (options.CompareWith is { } wanted)
        {
            foreach (var name in wanted)
            {
                if (!breachNames.ContainsValue(name) && !breachNames.Values.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new IngestException($"--against: no breach named '{name}'");
                }
            }

            foreach (var id in breachNames.Keys.ToList())
            {
                if (!wanted.Contains(breachNames[id]))
                {
                    breachNames.Remove(id);
                }
            }
        }

        // Validates --region before any reading starts.
        _ = new PhoneNormalizer(options.Region);

        var clock = Stopwatch.StartNew();
        var stats = new IngestStats { Breach = options.BreachName };
        var workers = Math.Max(1, options.Workers);
        var sorterCapacity = (int)Math.Min(int.MaxValue / 32, (long)options.SortMemoryMegabytes * 1024 * 1024 / 16 / (3 * (workers + 1)));
        // A dry run may have no data dir at all; its spills go to the system temp dir (keyed hashes only).
        var tempDir = options.DryRun ? Path.Combine(Path.GetTempPath(), $"leakwatch-verify-{Environment.ProcessId}-{Guid.NewGuid():N}") : _store.TempDir;
        // One row hasher for all workers: identical rows must get identical fingerprints whichever worker sees them.
        var rowHasher = new EphemeralHasher();
        // One state per worker thread, plus one for the reader thread, which normalizes a batch itself
        // whenever the workers are behind instead of waiting for them.
        var states = new WorkerState[workers + 1];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = new WorkerState(new IdentifierHasher(_keys), new PhoneNormalizer(options.Region), options.DateOrder,
                new ExternalSorter(tempDir, "email", sorterCapacity), new ExternalSorter(tempDir, "phone", sorterCapacity),
                new ExternalSorter(tempDir, "rowfp", sorterCapacity), rowHasher,
                new AnalysisAccumulator(new AnalysisOptions
                {
                    DefaultRegion = options.Region,
                    TempDirectory = tempDir,
                    PhoneMemoryBytes = Math.Max(8L << 20, (long)options.SortMemoryMegabytes * 1024 * 1024 / 4 / (workers + 1)),
                }))
            { Spill = options.DryRun ? null : options.PrivateSpill?.NewWriter() };
        }

        try
        {
            var sink = new IngestSink(states, stats, progress, TotalBytes(path), ct);
            var parallel = options.Parse == ParseMode.Parallel || (options.Parse == ParseMode.Auto && Environment.ProcessorCount >= 3);
            if (parallel)
            {
                sink.RunParallel(path, options.Reader);
            }
            else
            {
                sink.Run(path, options.Reader);
            }

            var emailSorters = new List<ExternalSorter>();
            var phoneSorters = new List<ExternalSorter>();
            var rowSorters = new List<ExternalSorter>();
            long keyUpperBound = 0;
            foreach (var s in states)
            {
                stats.Invalid.Email += s.InvalidEmail;
                stats.Invalid.Phone += s.InvalidPhone;
                stats.Invalid.Birthdate += s.InvalidBirthdate;
                emailSorters.Add(s.Emails);
                phoneSorters.Add(s.Phones);
                rowSorters.Add(s.RowFingerprints);
                keyUpperBound += s.Emails.Added + s.Phones.Added;
                if (s.ValidEmails > 0)
                {
                    sink.SeenClasses.Add(DataClass.EmailAddresses);
                }

                if (s.ValidPhones > 0)
                {
                    sink.SeenClasses.Add(DataClass.PhoneNumbers);
                }
            }

            stats.Phases.Read = clock.Elapsed.TotalSeconds;
            progress?.Report(new IngestProgress(IngestPhase.Sorting, stats.Rows, 0, 0, 0));
            // Identifier buffers first, on all cores; row fingerprints are sorted beside the index merge.
            ExternalSorter.SortBuffers([.. emailSorters, .. phoneSorters]);
            stats.Phases.Sort = clock.Elapsed.TotalSeconds - stats.Phases.Read;
            if (stats.Rows == 0)
            {
                throw new IngestException($"{path}: no data rows found");
            }

            stats.DataClasses = [.. sink.SeenClasses.Order(StringComparer.Ordinal)];
            var now = DateTimeOffset.UtcNow;
            var breach = new Breach
            {
                Name = options.BreachName,
                Title = options.Title ?? options.BreachName,
                Domain = options.Domain ?? "",
                BreachDate = options.BreachDate ?? DateOnly.FromDateTime(now.UtcDateTime),
                AddedDate = now,
                ModifiedDate = now,
                Description = options.Description ?? "",
                DataClasses = stats.DataClasses,
                IsVerified = true,
            };
            var breachId = catalog?.Insert(breach) ?? 0;

            // The enumeration scan (sorting every phone number) and duplicate-row counting run beside the
            // index merge: the three touch disjoint data.
            var analysis = states[0].Analysis;
            for (var i = 1; i < states.Length; i++)
            {
                analysis.Merge(states[i].Analysis);
            }

            var enumeration = Task.Run(() => NumberRunDetector.Detect(analysis), ct);
            var rowCount = Task.Run(() =>
            {
                ExternalSorter.SortBuffers(rowSorters);
                CountRows(rowSorters, stats);
            }, ct);
            using var existing = _store.OpenPublished(manifest);
            var emailCursor = ExternalSorter.Merge(emailSorters);
            var phoneCursor = ExternalSorter.Merge(phoneSorters);
            var keys = new ClassedKeyStream([(emailCursor, (byte)IdentifierClass.Email), (phoneCursor, (byte)IdentifierClass.Phone)]);
            var generation = manifest.Generation + 1;
            var overlap = new OverlapCounter(options.CompareWith is null ? null : breachNames.Keys.ToHashSet());
            string? indexPath = null;
            long entries = 0;
            try
            {
                if (options.DryRun)
                {
                    ExposureIndexMerger.Observe(existing, keys, overlap);
                }
                else
                {
                    indexPath = _store.NewIndexPath(generation);
                    entries = ExposureIndexMerger.MergeAdd(existing, keys, keyUpperBound, breachId, indexPath, overlap,
                        n => progress?.Report(new IngestProgress(IngestPhase.Merging, stats.Rows, 0, 0, n)));
                }
            }
            finally
            {
                emailCursor.Dispose();
                phoneCursor.Dispose();
                rowCount.GetAwaiter().GetResult();
                // The scan reads the accumulators, which are disposed when this method leaves.
                ((IAsyncResult)enumeration).AsyncWaitHandle.WaitOne();
            }

            foreach (var (id, name) in breachNames.OrderBy(kv => kv.Key))
            {
                var counts = overlap.ByBreach.GetValueOrDefault(id);
                stats.Overlap.Add(new OverlapEntry { Breach = name, Emails = counts.Emails, Phones = counts.Phones });
            }

            stats.Distinct.Email = emailCursor.Count;
            stats.Distinct.Phone = phoneCursor.Count;
            stats.Report = BuildReport(options, stats, analysis, enumeration.GetAwaiter().GetResult(), overlap);
            stats.IndexEntries = entries;
            stats.IndexBytes = indexPath is null ? 0 : new FileInfo(indexPath).Length;
            stats.Seconds = clock.Elapsed.TotalSeconds;
            stats.RowsPerSecond = stats.Rows / Math.Max(1e-9, stats.Seconds);

            stats.Phases.Merge = clock.Elapsed.TotalSeconds - stats.Phases.Read - stats.Phases.Sort;
            if (options.DryRun || catalog is null || indexPath is null)
            {
                stats.Seconds = clock.Elapsed.TotalSeconds;
                stats.RowsPerSecond = stats.Rows / Math.Max(1e-9, stats.Seconds);
                return stats;
            }

            progress?.Report(new IngestProgress(IngestPhase.Publishing, stats.Rows, 0, 0, entries));
            catalog.Update(breach with { Id = breachId, PwnCount = stats.Accounts, StatsJson = JsonSerializer.Serialize(stats, IngestJson.Default.IngestStats) });
            catalog.SetReport(breachId, ReportJson.Serialize(stats.Report));
            ct.ThrowIfCancellationRequested();
            var next = new Manifest
            {
                Generation = generation,
                Index = Path.GetRelativePath(_store.DataDir, indexPath),
                IndexBytes = stats.IndexBytes,
                Entries = entries,
                KeyId = _keys.KeyId,
                Breaches = [.. manifest.Breaches, breachId],
                Published = DateTimeOffset.UtcNow,
            };
            IndexStore.FsyncDirectory(_store.IndexDir);
            // The private spill is sealed and recorded before the breach is published, so a published breach
            // with --private always has its spill to resume from.
            options.PrivateSpill?.Complete(breachId, stats.Distinct.Email + stats.Distinct.Phone);
            _store.Publish(next);
            catalog.WriteSnapshot(next.Generation, next.Breaches);
            _store.CollectGarbage(next);
            stats.Phases.Publish = clock.Elapsed.TotalSeconds - stats.Phases.Read - stats.Phases.Sort - stats.Phases.Merge;
            stats.Seconds = clock.Elapsed.TotalSeconds;
            stats.RowsPerSecond = stats.Rows / Math.Max(1e-9, stats.Seconds);
            return stats;
        }
        finally
        {
            foreach (var s in states)
            {
                s.Spill?.Dispose();
                s.Emails.Dispose();
                s.Phones.Dispose();
                s.RowFingerprints.Dispose();
                s.Analysis.Dispose();
            }

            if (options.DryRun && Directory.Exists(tempDir))
            {
                Directory.Delete(tempDir, recursive: true);
            }
        }
    }

    /// <summary>The verification report from the workers' accumulators and the merge's exact overlap.</summary>
    private static VerificationReport BuildReport(IngestOptions options, IngestStats stats, AnalysisAccumulator merged,
        EnumerationResult enumeration, OverlapCounter overlap)
    {
        var list = new List<(string Breach, long Emails, long Phones)>(stats.Overlap.Count);
        foreach (var o in stats.Overlap)
        {
            list.Add((o.Breach, o.Emails, o.Phones));
        }

        return ReportBuilder.Build(new ReportInputs
        {
            Rows = stats.Rows,
            DuplicateRows = stats.DuplicateRows,
            InvalidEmail = stats.Invalid.Email,
            InvalidPhone = stats.Invalid.Phone,
            InvalidBirthdate = stats.Invalid.Birthdate,
            DistinctEmail = stats.Distinct.Email,
            DistinctPhone = stats.Distinct.Phone,
            Analysis = merged,
            Overlap = list,
            SeenBefore = (overlap.SeenBeforeEmails, overlap.SeenBeforePhones),
            ClaimedDomain = options.Domain,
            Breach = options.BreachName,
            Enumeration = enumeration,
        });
    }

    /// <summary>Names of the published breaches, from the catalogue already open for writing, or read-only for a dry run.</summary>
    private Dictionary<int, string> BreachNames(Manifest manifest, BreachCatalog? open)
    {
        var names = new Dictionary<int, string>();
        if (manifest.Breaches.Length == 0 || !File.Exists(Path.Combine(_store.DataDir, BreachCatalog.FileName)))
        {
            return names;
        }

        using var readOnly = open is null ? BreachCatalog.OpenReadOnly(_store.DataDir) : null;
        foreach (var b in (open ?? readOnly!).Published(manifest.Breaches))
        {
            names[b.Id] = b.Name;
        }

        return names;
    }

    /// <summary>Row fingerprints carry a low flag bit "has a valid identifier"; identical rows share it.</summary>
    private static void CountRows(List<ExternalSorter> rowSorters, IngestStats stats)
    {
        using var rows = ExternalSorter.Merge(rowSorters);
        long accounts = 0;
        while (rows.TryNext(out var fp))
        {
            if ((fp & 1) != 0)
            {
                accounts++;
            }
        }

        stats.DuplicateRows = stats.Rows - rows.Count;
        stats.Accounts = accounts;
    }

    private static long TotalBytes(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                return new FileInfo(path).Length;
            }

            if (Directory.Exists(path))
            {
                long total = 0;
                foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
                {
                    total += new FileInfo(f).Length;
                }

                return total;
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            throw new IngestException("--breach: a name of 1-64 characters is required");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw new IngestException($"--breach: '{name}' may only contain ASCII letters, digits, '-', '_' and '.'");
            }
        }
    }

    internal sealed class WorkerState(IdentifierHasher hasher, PhoneNormalizer phones, DateOrder dateOrder,
        ExternalSorter emails, ExternalSorter phoneKeys, ExternalSorter rowFingerprints, EphemeralHasher rowHasher,
        AnalysisAccumulator analysis)
    {
        public readonly IdentifierHasher Hasher = hasher;
        public readonly PhoneNormalizer PhoneNormalizer = phones;
        public readonly DateOrder DateOrder = dateOrder;
        public readonly ExternalSorter Emails = emails;
        public readonly ExternalSorter Phones = phoneKeys;
        public readonly ExternalSorter RowFingerprints = rowFingerprints;
        public readonly EphemeralHasher RowHasher = rowHasher;
        public readonly AnalysisAccumulator Analysis = analysis;
        public Private.PrivateSpillWriter? Spill;
        public long InvalidEmail;
        public long InvalidPhone;
        public long InvalidBirthdate;
        public long ValidEmails;
        public long ValidPhones;
        public DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    }

    /// <summary>Reader-thread side: copies each row's fields into batches and feeds the workers. In parallel
    /// mode (<see cref="IParallelDumpSink"/>) every parsing thread fills its own batch and processes it itself
    /// with its own <see cref="WorkerState"/>.</summary>
    private sealed class IngestSink : IDumpRowSink, IParallelDumpSink
    {
        private readonly WorkerState[] _workers;
        private readonly IngestStats _stats;
        private readonly IProgress<IngestProgress>? _progress;
        private readonly long _totalBytes;
        private readonly CancellationToken _ct;
        private readonly BlockingCollection<RowBatch> _full = new(boundedCapacity: 8);
        private readonly ConcurrentBag<RowBatch> _free = [];
        private RowBatch _current = new();
        private long _bytesRead;
        private long _lastReport;
        private readonly bool[] _rolesWithValues = new bool[Enum.GetValues<FieldRole>().Length];

        public IngestSink(WorkerState[] workers, IngestStats stats, IProgress<IngestProgress>? progress, long totalBytes, CancellationToken ct)
        {
            _workers = workers;
            _stats = stats;
            _progress = progress;
            _totalBytes = totalBytes;
            _ct = ct;
        }

        public HashSet<string> SeenClasses { get; } = [];

        public void Run(string path, ReaderOptions options)
        {
            var threads = new Thread[_workers.Length - 1];
            Exception? workerError = null;
            for (var i = 0; i < threads.Length; i++)
            {
                var state = _workers[i];
                threads[i] = new Thread(() =>
                {
                    try
                    {
                        foreach (var batch in _full.GetConsumingEnumerable())
                        {
                            Process(state, batch);
                            batch.Reset();
                            _free.Add(batch);
                        }
                    }
                    catch (Exception e)
                    {
                        workerError ??= e;
                        _full.CompleteAdding();
                    }
                })
                { IsBackground = true, Name = $"ingest-worker-{i}" };
                threads[i].Start();
            }

            try
            {
                DumpReader.Read(path, options, this, _ct);
                if (_current.Count > 0)
                {
                    _full.Add(_current, _ct);
                }
            }
            finally
            {
                _full.CompleteAdding();
                foreach (var t in threads)
                {
                    t.Join();
                }
            }

            if (workerError is not null)
            {
                throw new IngestException($"ingest worker failed: {workerError.Message}", workerError);
            }

            AddSeenClasses(_rolesWithValues);
            _stats.Files = FileCount;
        }

        private void AddSeenClasses(bool[] rolesWithValues)
        {
            for (var r = 0; r < rolesWithValues.Length; r++)
            {
                var role = (FieldRole)r;
                if (rolesWithValues[r] && role is not (FieldRole.Email or FieldRole.Phone) && DataClass.For(role) is { } dc)
                {
                    SeenClasses.Add(dc);
                }
            }
        }

        private ParseThread[] _parsers = [];
        private readonly Lock _problemLock = new();
        private readonly List<(int File, long Line, RowProblem Problem)> _firstProblems = [];
        private long _problemCount;
        private readonly Lock _progressLock = new();
        private long _sharedRows;
        private long _sharedBytes;

        /// <summary>Parallel mode: one parsing thread per worker state; this thread scans the input.</summary>
        public void RunParallel(string path, ReaderOptions options)
        {
            _parsers = new ParseThread[_workers.Length];
            for (var i = 0; i < _parsers.Length; i++)
            {
                _parsers[i] = new ParseThread(_rolesWithValues.Length);
            }

            try
            {
                DumpReader.ReadParallel(path, options, _parsers.Length, this, _ct);
            }
            catch (Exception e) when (e is not (DumpFormatException or OperationCanceledException or IngestException))
            {
                throw new IngestException($"ingest worker failed: {e.Message}", e);
            }

            // The parsing threads have ended: their last partial batches are processed here, each with its own state.
            for (var t = 0; t < _parsers.Length; t++)
            {
                var p = _parsers[t];
                if (p.Batch.Count > 0)
                {
                    Process(_workers[t], p.Batch);
                    p.Batch.Reset();
                }

                _stats.Rows += p.Rows;
                AddSeenClasses(p.RolesWithValues);
            }

            _stats.Problems.Count = _problemCount;
            foreach (var (_, _, problem) in _firstProblems)
            {
                _stats.Problems.First.Add(Describe(problem));
            }

            _stats.Files = FileCount;
        }

        void IParallelDumpSink.OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map) => FileCount++;

        void IParallelDumpSink.OnRow(int thread, DumpRow row)
        {
            var p = _parsers[thread];
            p.Rows++;
            p.Bytes += row.Raw.Length + 1;
            var b = p.Batch;
            CopyRow(b, row, p.RolesWithValues);
            if (b.IsFull)
            {
                _ct.ThrowIfCancellationRequested();
                Process(_workers[thread], b);
                b.Reset();
                var rows = Interlocked.Add(ref _sharedRows, p.Rows - p.ReportedRows);
                var bytes = Interlocked.Add(ref _sharedBytes, p.Bytes - p.ReportedBytes);
                p.ReportedRows = p.Rows;
                p.ReportedBytes = p.Bytes;
                if (_progress is not null && rows - Volatile.Read(ref _lastReport) >= 65536 && _progressLock.TryEnter())
                {
                    try
                    {
                        _lastReport = rows;
                        _progress.Report(new IngestProgress(IngestPhase.Reading, rows, bytes, _totalBytes, 0));
                    }
                    finally
                    {
                        _progressLock.Exit();
                    }
                }
            }
        }

        /// <summary>Keeps the count and, of all problems, the first few in (file, line) order — the order the
        /// single reader reports them in.</summary>
        void IParallelDumpSink.OnProblem(int fileIndex, RowProblem problem)
        {
            lock (_problemLock)
            {
                _problemCount++;
                var at = _firstProblems.Count;
                while (at > 0 && (_firstProblems[at - 1].File > fileIndex
                    || (_firstProblems[at - 1].File == fileIndex && _firstProblems[at - 1].Line > problem.LineNumber)))
                {
                    at--;
                }

                if (at < ProblemSummary.MaxListed)
                {
                    _firstProblems.Insert(at, (fileIndex, problem.LineNumber, problem));
                    if (_firstProblems.Count > ProblemSummary.MaxListed)
                    {
                        _firstProblems.RemoveAt(_firstProblems.Count - 1);
                    }
                }
            }
        }

        private sealed class ParseThread(int roles)
        {
            public readonly RowBatch Batch = new();
            public readonly bool[] RolesWithValues = new bool[roles];
            public long Rows;
            public long Bytes;
            public long ReportedRows;
            public long ReportedBytes;
        }

        private static string Describe(RowProblem problem) =>
            problem.LineNumber > 0 ? $"{problem.FileName}:{problem.LineNumber}: {problem.Message}" : $"{problem.FileName}: {problem.Message}";

        /// <summary>The fields the workers need, and which column roles hold any value.</summary>
        private static void CopyRow(RowBatch b, DumpRow row, bool[] rolesWithValues)
        {
            b.PutDigest(EphemeralHasher.Digest(row.Raw));
            b.Put(RowBatch.Email, row.Get(FieldRole.Email));
            b.Put(RowBatch.Phone, row.Get(FieldRole.Phone));
            b.Put(RowBatch.BirthDate, row.Get(FieldRole.BirthDate));
            b.Put(RowBatch.Gender, row.Get(FieldRole.Gender));
            b.Count++;
            var cols = row.Map.Columns;
            for (var i = 0; i < cols.Count; i++)
            {
                var role = cols[i].Role;
                if (!rolesWithValues[(int)role] && !row[i].IsEmpty)
                {
                    rolesWithValues[(int)role] = true;
                }
            }
        }

        public int FileCount { get; private set; }

        public void OnFileStart(DumpFileInfo file, ColumnMap map)
        {
            FileCount++;
        }

        public void OnRow(DumpRow row)
        {
            _stats.Rows++;
            _bytesRead += row.Raw.Length + 1;
            var b = _current;
            CopyRow(b, row, _rolesWithValues);

            if (b.IsFull)
            {
                if (_full.TryAdd(b))
                {
                    _current = _free.TryTake(out var next) ? next : new RowBatch();
                }
                else
                {
                    // The workers are behind: do this batch here rather than block (keeps both cores busy).
                    _ct.ThrowIfCancellationRequested();
                    Process(_workers[^1], b);
                    b.Reset();
                }

                if (_stats.Rows - _lastReport >= 65536)
                {
                    _lastReport = _stats.Rows;
                    _progress?.Report(new IngestProgress(IngestPhase.Reading, _stats.Rows, _bytesRead, _totalBytes, 0));
                }
            }
        }

        public void OnProblem(RowProblem problem)
        {
            _stats.Problems.Count++;
            if (_stats.Problems.First.Count < ProblemSummary.MaxListed)
            {
                _stats.Problems.First.Add(Describe(problem));
            }
        }

        private static void Process(WorkerState s, RowBatch batch)
        {
            Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
            for (var r = 0; r < batch.Count; r++)
            {
                var hasIdentifier = false;
                var e = batch.Get(r, RowBatch.Email);
                if (!e.IsEmpty)
                {
                    if (EmailNormalizer.TryNormalize(e, email, out var n))
                    {
                        var key = s.Hasher.HashEmail(email[..n]);
                        s.Emails.Add(key);
                        s.Spill?.AddEmail(key, email[..n]);
                        s.Analysis.AddEmail(email[..n]);
                        s.ValidEmails++;
                        hasIdentifier = true;
                    }
                    else
                    {
                        s.InvalidEmail++;
                        s.Analysis.AddInvalidEmail();
                    }
                }

                var p = batch.Get(r, RowBatch.Phone);
                if (!p.IsEmpty)
                {
                    if (s.PhoneNormalizer.TryNormalize(p, out var e164))
                    {
                        var key = s.Hasher.HashPhone(e164);
                        s.Phones.Add(key);
                        s.Spill?.AddPhone(key, e164);
                        s.Analysis.AddPhone(e164);
                        s.ValidPhones++;
                        hasIdentifier = true;
                    }
                    else
                    {
                        s.InvalidPhone++;
                        s.Analysis.AddInvalidPhone(p);
                    }
                }

                var d = batch.Get(r, RowBatch.BirthDate);
                if (!d.IsEmpty)
                {
                    if (BirthDateParser.TryParse(d, s.DateOrder, s.Today, out var born))
                    {
                        s.Analysis.AddBirthDate(born);
                    }
                    else
                    {
                        s.InvalidBirthdate++;
                        s.Analysis.AddInvalidBirthDate();
                    }
                }

                var g = batch.Get(r, RowBatch.Gender);
                if (!g.IsEmpty)
                {
                    s.Analysis.AddGender(GenderNormalizer.Parse(g));
                }

                var fp = s.RowHasher.Fingerprint(batch.RowDigests[r]);
                s.RowFingerprints.Add((fp & ~(UInt128)1) | (hasIdentifier ? 1u : 0u));
            }
        }
    }
}

/// <summary>An ingest cannot go on because of its input or its arguments.</summary>
public sealed class IngestException : LeakwatchException
{
    public IngestException(string message) : base(ErrorKind.BadInput, message) { }
    public IngestException(string message, Exception inner) : base(ErrorKind.BadInput, message, inner) { }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IngestStats))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = false)]
public sealed partial class IngestJson : System.Text.Json.Serialization.JsonSerializerContext;

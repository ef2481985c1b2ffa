using System.Collections.Concurrent;
using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Phases;

/// <summary>Reader-thread side: copies each row's fields into batches and feeds the workers. In parallel
/// mode (<see cref="IParallelDumpSink"/>) every parsing thread fills its own batch and processes it itself
/// with its own <see cref="WorkerState"/>.</summary>
internal sealed class IngestSink : IDumpRowSink, IParallelDumpSink
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

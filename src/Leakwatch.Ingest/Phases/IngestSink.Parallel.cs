using Leakwatch.Reading;

namespace Leakwatch.Ingest.Phases;

/// <summary>Parallel mode (<see cref="IParallelDumpSink"/>): every parsing thread fills and processes its own batches.</summary>
internal sealed partial class IngestSink
{
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
        ReserveForStealerLog();
        _parsers = new ParseThread[_workers.Length];
        for (var i = 0; i < _parsers.Length; i++)
        {
            _parsers[i] = new ParseThread(_rolesWithValues.Length);
        }

        try
        {
            DumpReader.ReadParallel(path, options, _parsers.Length, this, _ct);
        }
        catch (Exception e) when (e is not (DumpFormatException or OperationCanceledException or IngestException or IOException or Core.Errors.LeakwatchException))
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
            _stats.DamagedFields += p.DamagedFields;
            AddSeenClasses(p.RolesWithValues);
        }

        _stats.Problems.Count = _problemCount;
        foreach (var (_, _, problem) in _firstProblems)
        {
            _stats.Problems.First.Add(Describe(problem));
        }

        _stats.Files = FileCount;
    }

    void IParallelDumpSink.OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map) => CountFile(file);

    void IParallelDumpSink.OnRow(int thread, DumpRow row)
    {
        var p = _parsers[thread];
        p.Rows++;
        p.Bytes += row.Raw.Length + 1;
        var b = p.Batch;
        p.DamagedFields += CopyRow(b, row, p.RolesWithValues);
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
            Ulp?.Count(problem);
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
        public long DamagedFields;
        public long Bytes;
        public long ReportedRows;
        public long ReportedBytes;
    }
}

using Leakwatch.Reading;

namespace Leakwatch.Ingest.Phases;

/// <summary>Single-reader mode: this thread parses and batches; worker threads normalize.</summary>
internal sealed partial class IngestSink
{
    public void Run(string path, ReaderOptions options)
    {
        ReserveForStealerLog();
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
        catch (InvalidOperationException) when (_full.IsAddingCompleted && workerError is not null)
        {
            // A worker failed (a full disk under its spill, say) and closed the queue: the reader's next hand-off
            // refuses. The worker's error is the run's, reported below, not this one.
        }
        finally
        {
            _full.CompleteAdding();
            foreach (var t in threads)
            {
                t.Join();
            }
        }

        // Ctrl-C seen by a worker is the run's interruption (exit 130), a full disk under a worker's spill the data dir's
        // one line (exit 4), and bad input the reader's own error: only anything else is a worker failure.
        if (workerError is OperationCanceledException or IOException or Core.Errors.LeakwatchException)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(workerError);
        }

        if (workerError is not null)
        {
            throw new IngestException($"ingest worker failed: {workerError.Message}", workerError);
        }

        AddSeenClasses(_rolesWithValues);
        _stats.Files = FileCount;
    }

    public void OnFileStart(DumpFileInfo file, ColumnMap map) => CountFile(file);

    public void OnRow(DumpRow row)
    {
        _stats.Rows++;
        _bytesRead += row.Raw.Length + 1;
        var b = _current;
        _stats.DamagedFields += CopyRow(b, row, _rolesWithValues);

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
        Ulp?.Count(problem);
        _stats.Problems.Count++;
        if (_stats.Problems.First.Count < ProblemSummary.MaxListed)
        {
            _stats.Problems.First.Add(Describe(problem));
        }
    }
}

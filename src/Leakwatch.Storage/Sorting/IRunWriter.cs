namespace Leakwatch.Storage.Sorting;

/// <summary>Writes one sorted run piece by piece (a merge of runs into one); disposing an uncompleted writer removes
/// what it wrote.</summary>
public interface IRunWriter<TRecord> : IDisposable
    where TRecord : unmanaged
{
    /// <summary>The next records of the run, ascending and continuing the ones before.</summary>
    void Write(ReadOnlySpan<TRecord> sorted);

    /// <summary>Finishes the run; the writer is spent.</summary>
    ISpilledRun<TRecord> Complete();
}

namespace Leakwatch.Storage.Sorting;

/// <summary>Where an <see cref="ExternalSorter{TRecord, TOrder}"/> puts the sorted runs it spills, and how they are laid out.</summary>
public interface IRunStore<TRecord>
    where TRecord : unmanaged
{
    /// <summary>Starts a run written piece by piece.</summary>
    IRunWriter<TRecord> Create();

    /// <summary>Writes one sorted run. On failure nothing is left behind.</summary>
    ISpilledRun<TRecord> Write(ReadOnlySpan<TRecord> sorted)
    {
        using var writer = Create();
        writer.Write(sorted);
        return writer.Complete();
    }
}

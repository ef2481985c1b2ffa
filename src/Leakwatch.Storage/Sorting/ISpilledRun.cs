namespace Leakwatch.Storage.Sorting;

/// <summary>A sorted run on disk. Disposing it removes it.</summary>
public interface ISpilledRun<TRecord> : IDisposable
    where TRecord : unmanaged
{
    /// <summary>Reads the run from its start. A run is read once.</summary>
    IRunReader<TRecord> OpenReader();
}

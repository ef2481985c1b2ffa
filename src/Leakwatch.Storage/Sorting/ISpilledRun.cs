namespace Leakwatch.Storage.Sorting;

/// <summary>A sorted run on disk. Disposing it removes it; both the sorter and the merge cursor do, so a second Dispose must be harmless.</summary>
public interface ISpilledRun<TRecord> : IDisposable
    where TRecord : unmanaged
{
    /// <summary>Reads the run from its start. A run is read once.</summary>
    IRunReader<TRecord> OpenReader();
}

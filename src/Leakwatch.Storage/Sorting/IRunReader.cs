namespace Leakwatch.Storage.Sorting;

/// <summary>Reads a spilled run block by block, so the merge pays one call per block rather than per record.</summary>
public interface IRunReader<TRecord> : IDisposable
    where TRecord : unmanaged
{
    /// <summary>The next records of the run, in a buffer the reader owns and overwrites on the next call; empty at the end.</summary>
    ArraySegment<TRecord> ReadBlock();
}

namespace Leakwatch.Reading;

/// <summary>Receives what <see cref="DumpReader.ReadParallel"/> reads. Rows arrive on several threads at once.</summary>
public interface IParallelDumpSink
{
    /// <summary>A file's layout, before any of its rows; on the scanning thread, in file order.</summary>
    void OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map);

    /// <summary>A data row, on parsing thread <paramref name="thread"/> (0-based); each thread calls with its own
    /// index only, so per-thread state needs no lock. Rows of one thread come in file order, but threads
    /// interleave. <see cref="DumpRow.LineNumber"/> is the exact line in the file.</summary>
    void OnRow(int thread, DumpRow row);

    /// <summary>A row problem with its exact file and line, from any thread and not in line order: order by
    /// (<paramref name="fileIndex"/>, line) to list them as <see cref="DumpReader.Read"/> would.</summary>
    void OnProblem(int fileIndex, RowProblem problem);
}

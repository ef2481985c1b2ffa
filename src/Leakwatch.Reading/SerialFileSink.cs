namespace Leakwatch.Reading;

/// <summary>The sink of a file one parsing thread reads whole: rows and problems go through that thread's sink,
/// and the file's start (known only once the reader has chosen its columns) goes to the parallel sink.</summary>
internal sealed class SerialFileSink(IParallelDumpSink sink, int fileIndex, IDumpRowSink rows) : IDumpRowSink
{
    public void OnFileStart(DumpFileInfo file, ColumnMap map) => sink.OnFileStart(fileIndex, file, map);

    public void OnRow(DumpRow row) => rows.OnRow(row);

    public void OnProblem(RowProblem problem) => rows.OnProblem(problem);
}

namespace Leakwatch.Reading;

/// <summary>Receives what a reader reads. Called on the reader's thread, in file order.</summary>
public interface IDumpRowSink
{
    void OnFileStart(DumpFileInfo file, ColumnMap map);
    void OnRow(DumpRow row);
    /// <summary>A row-level problem (bad encoding, NUL bytes, oversized line, …): counted, reported, skipped.</summary>
    void OnProblem(RowProblem problem);
}

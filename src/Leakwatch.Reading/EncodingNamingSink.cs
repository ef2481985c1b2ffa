namespace Leakwatch.Reading;

/// <summary>Adds the file's encoding to what the file readers tell <see cref="IDumpRowSink.OnFileStart"/>; the
/// readers themselves only ever see UTF-8.</summary>
internal sealed class EncodingNamingSink(IDumpRowSink sink, string encoding) : IDumpRowSink
{
    public void OnFileStart(DumpFileInfo file, ColumnMap map) => sink.OnFileStart(file with { Encoding = encoding }, map);

    public void OnRow(DumpRow row) => sink.OnRow(row);

    public void OnProblem(RowProblem problem) => sink.OnProblem(problem);
}

using System.Globalization;
using System.Text;
using Leakwatch.Reading;

namespace Leakwatch.Fuzz;

/// <summary>Reads every value of every row (values are parsed lazily, so an unread row proves nothing) and, when
/// asked, keeps a text form of each row and problem so a serial and a parallel read can be compared.</summary>
internal sealed class RowRecorder(bool keep) : IDumpRowSink, IParallelDumpSink
{
    private readonly List<string> _records = [];
    private long _chars;

    /// <summary>Rows and problems as "line\tvalues" strings, ordinal-sorted (parallel parsing delivers rows of
    /// different chunks in any order, and its problems ahead of the rows around them).</summary>
    public List<string> Sorted()
    {
        _records.Sort(StringComparer.Ordinal);
        return _records;
    }

    public long Chars => _chars;

    public void OnFileStart(DumpFileInfo file, ColumnMap map) => Record($"file {file.Format} {file.Delimiter} {file.HasHeader} {map.Columns.Count}");

    public void OnRow(DumpRow row)
    {
        var text = keep ? new StringBuilder() : null;
        text?.Append(row.LineNumber.ToString("D12", CultureInfo.InvariantCulture)).Append(" row");
        for (var i = 0; i < row.ColumnCount; i++)
        {
            var value = row[i];
            _chars += value.Length;
            text?.Append('\t').Append(value);
        }

        if (text is not null)
        {
            lock (_records)
            {
                _records.Add(text.ToString());
            }
        }
    }

    public void OnProblem(RowProblem problem) =>
        Record($"{problem.LineNumber.ToString("D12", CultureInfo.InvariantCulture)} problem {problem.Message}");

    public void OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map) => OnFileStart(file, map);

    public void OnRow(int thread, DumpRow row) => OnRow(row);

    public void OnProblem(int fileIndex, RowProblem problem) => OnProblem(problem);

    private void Record(string text)
    {
        if (keep)
        {
            lock (_records)
            {
                _records.Add(text);
            }
        }
    }
}

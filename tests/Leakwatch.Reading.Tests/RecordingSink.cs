using System.Globalization;
using System.Text;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>Renders everything a reader delivers as text (for golden files) and keeps rows for assertions.</summary>
internal sealed class RecordingSink(Func<string, string>? fileName = null) : IDumpRowSink
{
    private readonly Func<string, string> _name = fileName ?? (f => f);

    public StringBuilder Text { get; } = new();
    public List<RowProblem> Problems { get; } = [];
    public List<(long Line, string[] Values, string Raw)> Rows { get; } = [];
    public List<DumpFileInfo> Files { get; } = [];
    /// <summary>The threads rows and problems arrived on: a per-thread allocation count covers the read only if
    /// this is the measuring thread alone.</summary>
    public HashSet<int> Threads { get; } = [];

    public void OnFileStart(DumpFileInfo file, ColumnMap map)
    {
        Files.Add(file);
        var delimiter = file.Delimiter switch
        {
            null => "none",
            '\t' => "\\t",
            var d => d.ToString(),
        };
        Text.Append(CultureInfo.InvariantCulture, $"file {_name(file.Path)} format={file.Format} delimiter={delimiter} header={file.HasHeader} compression={file.Compression ?? "none"}\n");
        Text.Append("  columns:");
        foreach (var c in map.Columns)
        {
            Text.Append(CultureInfo.InvariantCulture, $" {c.Name}({c.Role})");
        }

        Text.Append('\n');
    }

    public void OnRow(DumpRow row)
    {
        Threads.Add(Environment.CurrentManagedThreadId);
        var values = new string[row.ColumnCount];
        Text.Append(CultureInfo.InvariantCulture, $"row {row.LineNumber}:");
        for (var i = 0; i < row.ColumnCount; i++)
        {
            values[i] = row[i].ToString();
            var c = row.Map.Columns[i];
            Text.Append(CultureInfo.InvariantCulture, $" {c.Name}({c.Role})={Escape(values[i])}");
        }

        Text.Append('\n');
        Rows.Add((row.LineNumber, values, row.Raw.ToString()));
    }

    public void OnProblem(RowProblem problem)
    {
        Threads.Add(Environment.CurrentManagedThreadId);
        Problems.Add(problem);
        Text.Append(CultureInfo.InvariantCulture, $"problem {_name(problem.FileName)}:{problem.LineNumber}: {problem.Message}\n");
    }

    private static string Escape(string v) =>
        v.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
}

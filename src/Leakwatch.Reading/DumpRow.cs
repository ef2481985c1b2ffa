using Leakwatch.Core;
using Leakwatch.Core.Errors;

namespace Leakwatch.Reading;

/// <summary>One data row of a dump. The instance is reused by the reader: its spans are valid only
/// during <see cref="IDumpRowSink.OnRow"/>; copy what must outlive the call.</summary>
public abstract class DumpRow
{
    /// <summary>The file being read, as the user named it (for error messages).</summary>
    public string FileName { get; protected set; } = "";

    /// <summary>1-based physical line number where the row starts.</summary>
    public long LineNumber { get; protected set; }

    /// <summary>The row's raw text without its line ending; used to detect exact duplicate rows.</summary>
    public abstract ReadOnlySpan<char> Raw { get; }

    public abstract int ColumnCount { get; }

    /// <summary>The unescaped, trimmed value of a column, or empty when the row has fewer columns.</summary>
    public abstract ReadOnlySpan<char> this[int column] { get; }

    /// <summary>The column map of the current file.</summary>
    public ColumnMap Map { get; protected set; } = ColumnMap.Empty;

    /// <summary>Whether a value (or a row's <see cref="Raw"/> text) holds a byte its encoding could not map: the
    /// reader delivers such bytes as U+FFFD, and the field they sit in is damaged, to be counted, never indexed.</summary>
    public static bool IsDamaged(ReadOnlySpan<char> value) => value.Contains('\uFFFD');

    /// <summary>The value of the first column with this role, or empty.</summary>
    public ReadOnlySpan<char> Get(FieldRole role)
    {
        var i = Map.First(role);
        return i < 0 ? default : this[i];
    }
}

using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

/// <summary>How many valid identifiers the rows held: every email and phone column of a row is indexed, and a cell
/// holding several identifiers is split.</summary>
public sealed class IdentifierOccurrences
{
    /// <summary>Valid emails and phones, duplicates included.</summary>
    [JsonPropertyName("total")] public long Total { get; set; }

    /// <summary><see cref="Total"/> over the data rows.</summary>
    [JsonPropertyName("perRow")] public double PerRow { get; set; }

    /// <summary>Rows holding more than one valid identifier.</summary>
    [JsonPropertyName("rowsWithSeveral")] public long RowsWithSeveral { get; set; }
}

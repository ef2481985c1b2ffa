using System.Text.Json.Serialization;

namespace Leakwatch.Ingest;

/// <summary>What an ingest counted. Aggregates only: no identifier ever appears here.</summary>
public sealed class IngestStats
{
    [JsonPropertyName("breach")] public string Breach { get; set; } = "";
    /// <summary>Data rows read (header rows excluded).</summary>
    [JsonPropertyName("rows")] public long Rows { get; set; }
    /// <summary>Rows byte-identical to an earlier row.</summary>
    [JsonPropertyName("duplicateRows")] public long DuplicateRows { get; set; }
    [JsonPropertyName("invalid")] public FieldCounts Invalid { get; set; } = new();
    [JsonPropertyName("distinct")] public IdentifierCounts Distinct { get; set; } = new();
    /// <summary>Distinct rows holding at least one valid identifier: the breach's PwnCount.</summary>
    [JsonPropertyName("accounts")] public long Accounts { get; set; }
    [JsonPropertyName("dataClasses")] public List<string> DataClasses { get; set; } = [];
    [JsonPropertyName("files")] public int Files { get; set; }
    [JsonPropertyName("problems")] public ProblemSummary Problems { get; set; } = new();
    [JsonPropertyName("indexEntries")] public long IndexEntries { get; set; }
    [JsonPropertyName("indexBytes")] public long IndexBytes { get; set; }
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    [JsonPropertyName("rowsPerSecond")] public double RowsPerSecond { get; set; }
}

public sealed class FieldCounts
{
    [JsonPropertyName("email")] public long Email { get; set; }
    [JsonPropertyName("phone")] public long Phone { get; set; }
    [JsonPropertyName("birthdate")] public long Birthdate { get; set; }
}

public sealed class IdentifierCounts
{
    [JsonPropertyName("email")] public long Email { get; set; }
    [JsonPropertyName("phone")] public long Phone { get; set; }
}

/// <summary>Row-level problems (skipped rows): a count and the first few locations.</summary>
public sealed class ProblemSummary
{
    public const int MaxListed = 5;
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("first")] public List<string> First { get; set; } = [];
}

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
    /// <summary>Identifiers this dump shares with each breach already in the index (exact, from the merge).</summary>
    [JsonPropertyName("overlap")] public List<OverlapEntry> Overlap { get; set; } = [];
    [JsonPropertyName("files")] public int Files { get; set; }
    [JsonPropertyName("problems")] public ProblemSummary Problems { get; set; } = new();
    [JsonPropertyName("indexEntries")] public long IndexEntries { get; set; }
    [JsonPropertyName("indexBytes")] public long IndexBytes { get; set; }
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    /// <summary>Where the time went, in seconds.</summary>
    [JsonPropertyName("phases")] public PhaseTimes Phases { get; set; } = new();
    [JsonPropertyName("rowsPerSecond")] public double RowsPerSecond { get; set; }
    /// <summary>`ingest --private`: the private build that followed the publish.</summary>
    [JsonPropertyName("private")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Private.PrivateBuildResult? Private { get; set; }

    /// <summary>The verification report built in the same pass (stored with the breach, not in this JSON).</summary>
    [JsonIgnore] public Leakwatch.Analysis.VerificationReport? Report { get; set; }
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

public sealed class PhaseTimes
{
    /// <summary>Reading, parsing, normalizing and hashing (overlapped on the reader and worker threads).</summary>
    [JsonPropertyName("read")] public double Read { get; set; }
    /// <summary>Sorting the last in-memory buffers (spills during reading are part of read).</summary>
    [JsonPropertyName("sort")] public double Sort { get; set; }
    /// <summary>Merging sorted runs and the previous index into the new index file, with fsync.</summary>
    [JsonPropertyName("merge")] public double Merge { get; set; }
    [JsonPropertyName("publish")] public double Publish { get; set; }
}

public sealed class OverlapEntry
{
    [JsonPropertyName("breach")] public string Breach { get; set; } = "";
    [JsonPropertyName("emails")] public long Emails { get; set; }
    [JsonPropertyName("phones")] public long Phones { get; set; }
}

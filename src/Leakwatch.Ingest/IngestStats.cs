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
    /// <summary>Files read per text encoding, detected or forced (utf-8, utf-8-bom, utf-16le, utf-16be, windows-1252, …).</summary>
    [JsonPropertyName("encodings")] public SortedDictionary<string, int> Encodings { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Fields left out because they held bytes their file's encoding could not map; the rest of each such
    /// row was read.</summary>
    [JsonPropertyName("damagedFields")] public long DamagedFields { get; set; }
    /// <summary>Valid identifiers found in the rows, duplicates included: several email and phone columns, and
    /// cells holding several, make more than one per row.</summary>
    [JsonPropertyName("identifiers")] public IdentifierOccurrences Identifiers { get; set; } = new();
    [JsonPropertyName("problems")] public ProblemSummary Problems { get; set; } = new();
    [JsonPropertyName("indexEntries")] public long IndexEntries { get; set; }
    [JsonPropertyName("indexBytes")] public long IndexBytes { get; set; }
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    /// <summary>Where the time went, in seconds.</summary>
    [JsonPropertyName("phases")] public PhaseTimes Phases { get; set; } = new();
    [JsonPropertyName("rowsPerSecond")] public double RowsPerSecond { get; set; }
    /// <summary>What matching the published breach against subscriptions and monitored identifiers queued.</summary>
    [JsonPropertyName("notifications")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NotificationCounts? Notifications { get; set; }
    /// <summary>Domain alerts: what the read pass counted on verified domains and what was queued.</summary>
    [JsonPropertyName("domainAlerts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DomainAlertCounts? DomainAlerts { get; set; }
    /// <summary>`ingest --private`: the private build that followed the publish.</summary>
    [JsonPropertyName("private")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Private.PrivateBuildResult? Private { get; set; }

    /// <summary>`ingest --format ulp`: the stealer-log counts.</summary>
    [JsonPropertyName("ulp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Stealer.UlpStats? Ulp { get; set; }

    /// <summary>The domain store's build (null with `--no-domain-store`).</summary>
    [JsonPropertyName("domainStore")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Domains.DomainStoreStats? DomainStore { get; set; }

    /// <summary>The verification report built in the same pass (stored with the breach, not in this JSON).</summary>
    [JsonIgnore] public Leakwatch.Analysis.VerificationReport? Report { get; set; }
}

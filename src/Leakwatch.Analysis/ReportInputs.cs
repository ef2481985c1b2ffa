namespace Leakwatch.Analysis;

/// <summary>
/// What <see cref="ReportBuilder.Build"/> needs. The counts are the pipeline's own, with its definitions
/// (README "What is counted"), so the report and <c>ingest --json</c> never disagree.
/// </summary>
public sealed record ReportInputs
{
    /// <summary>Data rows read (headers and skipped rows excluded).</summary>
    public required long Rows { get; init; }

    /// <summary>Rows byte-identical to an earlier row.</summary>
    public long DuplicateRows { get; init; }

    /// <summary>Rows whose non-empty value in the field is invalid (a duplicate row counts again).</summary>
    public long InvalidEmail { get; init; }
    public long InvalidPhone { get; init; }
    public long InvalidBirthdate { get; init; }

    /// <summary>Distinct valid normalized identifiers.</summary>
    public long DistinctEmail { get; init; }
    public long DistinctPhone { get; init; }

    /// <summary>All workers' accumulators merged into one.</summary>
    public required AnalysisAccumulator Analysis { get; init; }

    /// <summary>Distinct identifiers of this dump already in each earlier breach. Pass every earlier breach, zeros
    /// included: an empty list means "nothing to compare with", not "nothing in common".</summary>
    public IReadOnlyList<(string Breach, long Emails, long Phones)> Overlap { get; init; } = [];

    /// <summary>Distinct identifiers of this dump found in any earlier breach (the union over
    /// <see cref="Overlap"/>); when null the report falls back to the largest single overlap, a lower bound.</summary>
    public (long Emails, long Phones)? SeenBefore { get; init; }

    /// <summary>The <c>--domain</c> the dump is claimed to come from.</summary>
    public string? ClaimedDomain { get; init; }

    public string? Breach { get; init; }

    /// <summary>Sample mode: the dump's estimated duplicate share (<see cref="SampledDuplicateShare"/>), since repeats
    /// within a sample understate it; null = <see cref="DuplicateRows"/> / <see cref="Rows"/>.</summary>
    public Ratio? DuplicateRatio { get; init; }

    /// <summary>Set in sample mode: ratios then carry a 95% interval where an honest one exists.</summary>
    public SampleInfo? Sample { get; init; }

    /// <summary>Precomputed runs (e.g. run beside the index merge); null = computed by Build from <see cref="Analysis"/>.</summary>
    public EnumerationResult? Enumeration { get; init; }

    /// <summary>How many countries, domains and TLDs to list.</summary>
    public int TopCount { get; init; } = 20;
}

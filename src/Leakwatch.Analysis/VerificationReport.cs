namespace Leakwatch.Analysis;

/// <summary>
/// The verification report: is a dump real, new or recycled, and how was it collected? Aggregates only: no
/// email address, no full phone number and no hash of either. Serialized by <see cref="ReportJson"/>; the
/// schema is documented in docs/report-schema.md and versioned by <see cref="SchemaVersion"/>.
/// </summary>
public sealed record VerificationReport
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public string? Breach { get; init; }
    public string? ClaimedDomain { get; init; }
    public SampleInfo? Sample { get; init; }
    public long Rows { get; init; }
    public long DuplicateRows { get; init; }
    public Ratio DuplicateRatio { get; init; } = Ratio.Zero;
    public IdentifierCounts Distinct { get; init; } = new();
    public FieldCounts Invalid { get; init; } = new();
    public FieldCounts Valid { get; init; } = new();
    public ValidityRatios Validity { get; init; } = new();
    public IReadOnlyList<PhoneCountryValidity> PhoneValidityByCountry { get; init; } = [];
    public GenderSummary Gender { get; init; } = new();
    public BirthDateSummary BirthDates { get; init; } = new();
    public IReadOnlyList<CategoryShare> TopCountries { get; init; } = [];
    public IReadOnlyList<CategoryShare> TopEmailDomains { get; init; } = [];
    public IReadOnlyList<CategoryShare> TopEmailTlds { get; init; } = [];
    public long DistinctEmailDomains { get; init; }
    public DomainCheck? DomainMismatch { get; init; }
    public IReadOnlyList<OverlapEntry> Overlap { get; init; } = [];
    public SeenBefore? SeenBefore { get; init; }
    public EnumerationSummary Enumeration { get; init; } = new();
    public IReadOnlyList<Finding> Verdict { get; init; } = [];
}

/// <summary>A proportion. In sample mode <see cref="Low"/>/<see cref="High"/> bound it with a 95% Wilson
/// interval; for a full run they are null because the value is exact.</summary>
public sealed record Ratio(double Value, double? Low, double? High)
{
    public static Ratio Zero { get; } = new(0, null, null);
}

public sealed class IdentifierCounts
{
    public long Email { get; init; }
    public long Phone { get; init; }
}

public sealed class FieldCounts
{
    public long Email { get; init; }
    public long Phone { get; init; }
    public long Birthdate { get; init; }
}

/// <summary>Valid share of the non-empty values of each field (null when the field never had a value).</summary>
public sealed class ValidityRatios
{
    public Ratio? Email { get; init; }
    public Ratio? Phone { get; init; }
    public Ratio? Birthdate { get; init; }
}

public sealed class PhoneCountryValidity
{
    public int CallingCode { get; init; }
    public string Region { get; init; } = "";
    public long Valid { get; init; }
    public long Invalid { get; init; }
    public Ratio ValidRatio { get; init; } = Ratio.Zero;
}

public sealed class GenderSummary
{
    public long Female { get; init; }
    public long Male { get; init; }
    public long Other { get; init; }
    public long Unrecognized { get; init; }
    /// <summary>Female share of the values that are female or male.</summary>
    public Ratio? FemaleShare { get; init; }
}

public sealed class BirthDateSummary
{
    public IReadOnlyList<YearCount> Years { get; init; } = [];
    public IReadOnlyList<DateSpike> Spikes { get; init; } = [];
    public MostCommonDate? MostCommon { get; init; }
}

public sealed record YearCount(int Year, long Count, bool Spike);

/// <summary>A single date far more common than the days around it (a default such as 1900-01-01).</summary>
public sealed record DateSpike(string Date, long Count, double Baseline, Ratio Share);

/// <summary>The most common full date. <see cref="Date"/> is shown only when at least
/// <see cref="ReportBuilder.MinCountToShowDate"/> rows share it, so no lone person's birth date is printed.</summary>
public sealed record MostCommonDate(string? Date, long Count, Ratio Share);

public sealed record CategoryShare(string Name, long Count, Ratio Share);

public sealed class DomainCheck
{
    public string ClaimedDomain { get; init; } = "";
    public long ClaimedCount { get; init; }
    public Ratio ClaimedShare { get; init; } = Ratio.Zero;
    public string? DominantDomain { get; init; }
    public long DominantCount { get; init; }
    public Ratio? DominantShare { get; init; }
    public bool Mismatch { get; init; }
}

/// <summary>Identifiers of this dump already in an earlier breach; ratios are of this dump's distinct counts.</summary>
public sealed record OverlapEntry(string Breach, long Emails, long Phones, Ratio EmailRatio, Ratio PhoneRatio);

/// <summary>Identifiers of this dump found in any earlier breach (the union of <see cref="VerificationReport.Overlap"/>).
/// <see cref="Exact"/> is false when only per-breach counts were known, then the counts are the largest single overlap: a lower bound.</summary>
public sealed class SeenBefore
{
    public long Emails { get; init; }
    public long Phones { get; init; }
    public bool Exact { get; init; }
    public Ratio EmailRatio { get; init; } = Ratio.Zero;
    public Ratio PhoneRatio { get; init; } = Ratio.Zero;
    public Ratio IdentifierRatio { get; init; } = Ratio.Zero;
}

public sealed class EnumerationSummary
{
    /// <summary>"population" for a full run; "sample" when computed on a sample (runs are then not representative).</summary>
    public string Scope { get; init; } = "population";
    public long DistinctNumbers { get; init; }
    public long LongestRun { get; init; }
    public string? LongestRunStartMasked { get; init; }
    public string? LongestRunRegion { get; init; }
    public long RunsOf10 { get; init; }
    public long NumbersInRunsOf10 { get; init; }
    public long RunsOf100 { get; init; }
    public long NumbersInRunsOf100 { get; init; }
    public Ratio ShareInRunsOf100 { get; init; } = Ratio.Zero;
    public IReadOnlyList<RunLengthRow> RunLengthHistogram { get; init; } = [];
    public IReadOnlyList<CountryDensityRow> ByCountry { get; init; } = [];
}

public sealed record RunLengthRow(long MinLength, long MaxLength, long Runs, long Numbers);

public sealed record CountryDensityRow(int CallingCode, string Region, long Numbers, double ShareInRunsOf10, double ShareInRunsOf100);

/// <summary>An evidence-backed finding: what was concluded, how sure, from what, and by which stated rule.</summary>
public sealed record Finding(
    [property: System.Text.Json.Serialization.JsonPropertyName("finding")] string Kind,
    string Confidence,
    IReadOnlyList<string> Evidence,
    string Threshold);

/// <summary>Present in sample mode only.</summary>
public sealed class SampleInfo
{
    public int SampleSize { get; init; }
    public long PopulationRows { get; init; }
    public long Seed { get; init; }
    /// <summary>True when the sample holds every row of the dump (the dump was no larger than the sample).</summary>
    public bool Complete { get; init; }
    public IReadOnlyList<string> CanEstablish { get; init; } = [];
    public IReadOnlyList<string> CannotEstablish { get; init; } = [];
}

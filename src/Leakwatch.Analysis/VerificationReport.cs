namespace Leakwatch.Analysis;

/// <summary>
/// The verification report: is a dump real, new or recycled, and how was it collected? Aggregates only: no
/// email address, no full phone number and no hash of either. Serialized by <see cref="ReportJson"/>; the
/// schema is documented in docs/report-schema.md and versioned by <see cref="SchemaVersion"/>.
/// </summary>
public sealed record VerificationReport
{
    public const int CurrentSchemaVersion = 2;

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

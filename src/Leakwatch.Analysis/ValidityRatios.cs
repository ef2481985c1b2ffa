namespace Leakwatch.Analysis;

/// <summary>Valid share of the non-empty values of each field (null when the field never had a value).</summary>
public sealed class ValidityRatios
{
    public Ratio? Email { get; init; }
    public Ratio? Phone { get; init; }
    public Ratio? Birthdate { get; init; }
}

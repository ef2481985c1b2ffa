namespace Leakwatch.Analysis;

/// <summary>One calling code's phone validity; <see cref="CallingCode"/> is null on the "other" row.</summary>
public sealed class PhoneCountryValidity
{
    public int? CallingCode { get; init; }
    public string Region { get; init; } = "";
    public long Valid { get; init; }
    public long Invalid { get; init; }
    public Ratio ValidRatio { get; init; } = Ratio.Zero;
}

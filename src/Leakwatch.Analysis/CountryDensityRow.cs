namespace Leakwatch.Analysis;

/// <summary>One calling code's share of numbers in runs; <see cref="CallingCode"/> is null on the "other" row.</summary>
public sealed record CountryDensityRow(int? CallingCode, string Region, long Numbers, double ShareInRunsOf10, double ShareInRunsOf100);

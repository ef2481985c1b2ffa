namespace Leakwatch.Analysis;

public sealed record CountryDensityRow(int CallingCode, string Region, long Numbers, double ShareInRunsOf10, double ShareInRunsOf100);

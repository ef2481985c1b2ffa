namespace Leakwatch.Analysis;

public readonly record struct CountryRunDensity(int CallingCode, string Region, long Numbers, long InRunsOf10, long InRunsOf100);

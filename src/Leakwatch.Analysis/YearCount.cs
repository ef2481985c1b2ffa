namespace Leakwatch.Analysis;

public sealed record YearCount(int Year, long Count, bool Spike);

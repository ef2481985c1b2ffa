namespace Leakwatch.Analysis;

public sealed record CategoryShare(string Name, long Count, Ratio Share);

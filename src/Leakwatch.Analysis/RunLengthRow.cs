namespace Leakwatch.Analysis;

public sealed record RunLengthRow(long MinLength, long MaxLength, long Runs, long Numbers);

namespace Leakwatch.Analysis;

/// <summary>Runs whose length is in [<paramref name="MinLength"/>, <paramref name="MaxLength"/>] (powers of two).</summary>
public readonly record struct RunLengthBucket(long MinLength, long MaxLength, long Runs, long Numbers);

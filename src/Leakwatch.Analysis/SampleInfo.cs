namespace Leakwatch.Analysis;

/// <summary>Present in sample mode only.</summary>
public sealed class SampleInfo
{
    public int SampleSize { get; init; }
    public long PopulationRows { get; init; }
    public long Seed { get; init; }
    /// <summary>True when the sample holds every row of the dump (the dump was no larger than the sample).</summary>
    public bool Complete { get; init; }
    public IReadOnlyList<string> CanEstablish { get; init; } = [];
    public IReadOnlyList<string> CannotEstablish { get; init; } = [];
}

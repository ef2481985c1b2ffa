using Leakwatch.Core;

namespace Leakwatch.Analysis;

/// <summary>What to sample and how to read it.</summary>
public sealed record SampleOptions
{
    /// <summary>Rows to keep (a uniform sample without replacement).</summary>
    public int Size { get; init; } = 100_000;

    /// <summary>Same file, size and seed → the same sample.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Default phone region, as <c>ingest --region</c>.</summary>
    public string? Region { get; init; }

    public DateOrder DateOrder { get; init; } = DateOrder.Auto;

    public string? ClaimedDomain { get; init; }

    public string? Breach { get; init; }

    /// <summary>"Today" for birth-date plausibility; null = the current UTC date.</summary>
    public DateOnly? Today { get; init; }

    /// <summary>Where the accumulator may spill (it rarely does at sample sizes); null = the system temp dir.</summary>
    public string? TempDirectory { get; init; }
}

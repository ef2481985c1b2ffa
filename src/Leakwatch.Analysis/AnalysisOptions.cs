namespace Leakwatch.Analysis;

/// <summary>How an <see cref="AnalysisAccumulator"/> behaves. One instance may be shared by all workers.</summary>
public sealed record AnalysisOptions
{
    /// <summary>The ingest's <c>--region</c> (ISO alpha-2), used only to attribute invalid national-format
    /// phone numbers to a country; null when numbers carry their calling code.</summary>
    public string? DefaultRegion { get; init; }

    /// <summary>Memory each accumulator may hold in phone numbers (8 bytes each) before it spills an
    /// encrypted sorted run to <see cref="TempDirectory"/>.</summary>
    public long PhoneMemoryBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Where encrypted phone runs are spilled (the ingest's temp dir); the files are unlinked at once
    /// where the OS allows and are unreadable without a key that only ever lives in this process.</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Distinct email domains tracked per accumulator; further new domains are counted as "other",
    /// so a spam list with millions of throwaway domains cannot exhaust memory.</summary>
    public int MaxDistinctDomains { get; init; } = 200_000;

    public static AnalysisOptions Default { get; } = new();
}

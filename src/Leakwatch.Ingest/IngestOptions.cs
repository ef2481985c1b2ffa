using Leakwatch.Core;
using Leakwatch.Reading;

namespace Leakwatch.Ingest;

public sealed record IngestOptions
{
    public required string BreachName { get; init; }
    public string? Title { get; init; }
    public DateOnly? BreachDate { get; init; }
    public string? Domain { get; init; }
    public string? Description { get; init; }
    /// <summary>Default region (ISO 3166 alpha-2) for national-format phone numbers.</summary>
    public string? Region { get; init; }
    public DateOrder DateOrder { get; init; } = DateOrder.Auto;
    public ReaderOptions Reader { get; init; } = new();
    /// <summary>Memory for sort buffers; beyond it, sorted runs spill to the data dir's tmp/.</summary>
    public int SortMemoryMegabytes { get; init; } = 1024;
    /// <summary>Earlier breaches to measure overlap against, by name; null = all of them.</summary>
    public IReadOnlySet<string>? CompareWith { get; init; }
    /// <summary>`ingest --private`: every valid identifier also goes, sealed, to this private build's spill; the
    /// session is completed just before the plain index is published.</summary>
    public Private.PrivateSpillSession? PrivateSpill { get; init; }

    /// <summary>Builds the domain store (each email domain's aliases, sealed) in the same pass; `--no-domain-store`
    /// turns it off for operators who do not want domain search.</summary>
    public bool DomainStore { get; init; } = true;

    /// <summary>Who parses; both modes give identical results (counts, report, index bytes).</summary>
    public ParseMode Parse { get; init; } = ParseMode.Auto;
    /// <summary>Normalization workers beside the reader thread, which keeps a core of its own.</summary>
    public int Workers { get; init; } = Math.Max(1, Math.Min(Environment.ProcessorCount - 1, 4));
}

using Leakwatch.Analysis;

namespace Leakwatch.Ingest.Phases;

/// <summary>What the merge phase hands the report: the entries written and the analyses it ran beside.</summary>
internal readonly record struct MergedKeys(long Entries, AnalysisAccumulator Analysis, EnumerationResult Enumeration);

namespace Leakwatch.Ingest;

public readonly record struct IngestProgress(IngestPhase Phase, long Rows, long BytesRead, long TotalBytes, long MergedEntries);

namespace Leakwatch.Ingest;

public enum IngestPhase
{
    Reading,
    Sorting,
    Merging,
    Publishing,
}

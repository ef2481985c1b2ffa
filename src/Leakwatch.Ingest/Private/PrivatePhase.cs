namespace Leakwatch.Ingest.Private;

public enum PrivatePhase
{
    Spilling,
    Evaluating,
    Merging,
    Publishing,
}

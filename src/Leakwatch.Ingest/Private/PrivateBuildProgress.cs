namespace Leakwatch.Ingest.Private;

/// <summary>Rows read (spilling), identifiers evaluated (evaluating) or buckets written (merging), of about Total.</summary>
public readonly record struct PrivateBuildProgress(PrivatePhase Phase, long Done, long Total);

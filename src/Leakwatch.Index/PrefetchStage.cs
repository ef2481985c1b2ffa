namespace Leakwatch.Index;

/// <summary>The two steps of <see cref="ExposureIndexReader.Prefetch"/>: the bucket bounds first, then (once they are
/// loaded) the first entry a lookup probes.</summary>
public enum PrefetchStage
{
    Bucket,
    FirstProbe,
}

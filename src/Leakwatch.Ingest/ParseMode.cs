using Leakwatch.Reading;

namespace Leakwatch.Ingest;

public enum ParseMode
{
    /// <summary><see cref="Parallel"/> on 3 or more cores, else <see cref="SingleReader"/>. On 2 cores the single
    /// reader already keeps both busy (it normalizes batches itself whenever the worker is behind) and costs less
    /// CPU per row (BENCHMARKS.md); with more cores one parsing thread caps the ingest rate.</summary>
    Auto = 0,
    /// <summary>One reader thread parses and hands batches of fields to the normalization workers.</summary>
    SingleReader,
    /// <summary>One thread scans the input into chunks at proven record boundaries; every worker parses and
    /// normalizes whole chunks (<see cref="DumpReader.ReadParallel"/>).</summary>
    Parallel,
}

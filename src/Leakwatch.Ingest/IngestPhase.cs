using Leakwatch.Core;
using Leakwatch.Reading;

namespace Leakwatch.Ingest;

public enum IngestPhase
{
    Reading,
    Sorting,
    Merging,
    Publishing,
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Catalog;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Private;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Private;

public enum PrivatePhase
{
    Spilling,
    Evaluating,
    Merging,
    Publishing,
}

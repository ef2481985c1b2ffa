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

/// <summary>Rows read (spilling), identifiers evaluated (evaluating) or buckets written (merging), of about Total.</summary>
public readonly record struct PrivateBuildProgress(PrivatePhase Phase, long Done, long Total);

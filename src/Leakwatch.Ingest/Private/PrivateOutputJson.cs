using System.Text.Json.Serialization;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Ingest.Private;

/// <summary>One line of JSON for command output.</summary>
[JsonSerializable(typeof(PrivateBuildResult))]
[JsonSerializable(typeof(PrivateManifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class PrivateOutputJson : JsonSerializerContext;

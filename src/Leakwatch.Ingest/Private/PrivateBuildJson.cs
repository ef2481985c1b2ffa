using System.Text.Json.Serialization;

namespace Leakwatch.Ingest.Private;

[JsonSerializable(typeof(PrivateBuildState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class PrivateBuildJson : JsonSerializerContext;

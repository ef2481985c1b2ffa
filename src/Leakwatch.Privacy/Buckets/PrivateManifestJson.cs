using System.Text.Json.Serialization;

namespace Leakwatch.Privacy.Buckets;

[JsonSerializable(typeof(PrivateManifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class PrivateManifestJson : JsonSerializerContext;

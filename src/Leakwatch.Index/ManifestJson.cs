using System.Text.Json.Serialization;

namespace Leakwatch.Index;

[JsonSerializable(typeof(Manifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class ManifestJson : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace Leakwatch.Privacy;

[JsonSerializable(typeof(KeyFileDto))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class KeyFileJson : JsonSerializerContext;

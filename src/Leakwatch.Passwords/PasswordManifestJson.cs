using System.Text.Json.Serialization;

namespace Leakwatch.Passwords;

[JsonSerializable(typeof(PasswordManifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class PasswordManifestJson : JsonSerializerContext;

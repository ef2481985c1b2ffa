using System.Text.Json.Serialization;
using Leakwatch.Passwords;

namespace Leakwatch.Cli;

[JsonSerializable(typeof(PasswordIngestStats))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class PasswordsJson : JsonSerializerContext;

using System.Text.Json.Serialization;
using Leakwatch.Catalog.State;

namespace Leakwatch.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StateDigest))]
internal sealed partial class StateJson : JsonSerializerContext;

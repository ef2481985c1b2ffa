using System.Text.Json.Serialization;
using Leakwatch.Export;

namespace Leakwatch.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ExportResult))]
internal sealed partial class ExportJson : JsonSerializerContext;

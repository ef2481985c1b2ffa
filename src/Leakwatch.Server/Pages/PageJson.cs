using System.Text.Json.Serialization;
using Leakwatch.Core;

namespace Leakwatch.Server.Pages;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AdviceDocument))]
internal sealed partial class PageJson : JsonSerializerContext;

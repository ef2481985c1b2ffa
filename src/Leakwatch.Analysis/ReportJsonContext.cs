using System.Text.Json.Serialization;

namespace Leakwatch.Analysis;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    NewLine = "\n",
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VerificationReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

using System.Text.Json;

namespace Leakwatch.Analysis;

/// <summary>The report's JSON form (docs/report-schema.md): camelCase, properties in declaration order,
/// indented with '\n', nulls written so that every field of the schema is always present.</summary>
public static class ReportJson
{
    public static string Serialize(VerificationReport report) =>
        JsonSerializer.Serialize(report, ReportJsonContext.Default.VerificationReport);

    public static void Write(VerificationReport report, Stream destination) =>
        JsonSerializer.Serialize(destination, report, ReportJsonContext.Default.VerificationReport);

    public static VerificationReport? Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ReportJsonContext.Default.VerificationReport);
}

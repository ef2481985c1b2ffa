using System.Globalization;
using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli;

/// <summary>
/// `generate --truth FILE`: the identifiers the generator planted, as it knows them, so a test can take its expected
/// answers from the generator instead of from `leakwatch check`, the code under test. They are synthetic (the dump
/// beside it holds the same ones in the clear), so writing them breaks no privacy rule.
/// </summary>
internal static class GeneratorTruthFile
{
    /// <summary>{"emails": [normalized, ...], "phones": ["+E164", ...]}, each sorted ordinally so the bytes are stable.</summary>
    public static void Write(string path, GeneratorTruth truth)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("emails");
        foreach (var e in (truth.Emails ?? new HashSet<string>()).Order(StringComparer.Ordinal))
        {
            json.WriteStringValue(e);
        }

        json.WriteEndArray();
        json.WriteStartArray("phones");
        foreach (var p in (truth.Phones ?? new HashSet<ulong>()).Order())
        {
            json.WriteStringValue("+" + p.ToString(CultureInfo.InvariantCulture));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}

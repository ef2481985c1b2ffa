namespace Leakwatch.Ingest;

[System.Text.Json.Serialization.JsonSerializable(typeof(IngestStats))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = false)]
public sealed partial class IngestJson : System.Text.Json.Serialization.JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Index;
using static Leakwatch.Index.JsonFileReading;

namespace Leakwatch.Privacy;

internal sealed class KeyFileDto
{
    public int Version { get; set; }
    public string? IndexKey { get; set; }
    public DateTimeOffset Created { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OprfKeysDto? Oprf { get; set; }

    /// <summary>
    /// Reads key file JSON as <see cref="KeyFileJson"/> writes it (camelCase, unknown properties skipped). By
    /// hand, for start-up time (see <see cref="JsonFileReading"/>).
    /// </summary>
    public static KeyFileDto? Parse(ReadOnlySpan<byte> json)
    {
        var r = Reader(json);
        if (Next(ref r) == JsonTokenType.Null)
        {
            RequireEnd(ref r);
            return null;
        }

        Require(ref r, JsonTokenType.StartObject);
        var dto = new KeyFileDto();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var name = r;
            Next(ref r);
            if (name.ValueTextEquals("version"u8)) { dto.Version = r.GetInt32(); }
            else if (name.ValueTextEquals("indexKey"u8)) { dto.IndexKey = r.GetString(); }
            else if (name.ValueTextEquals("created"u8)) { dto.Created = r.GetDateTimeOffset(); }
            else if (name.ValueTextEquals("oprf"u8)) { dto.Oprf = ReadOprf(ref r); }
            else { r.Skip(); }
        }

        Require(ref r, JsonTokenType.EndObject);
        RequireEnd(ref r);
        return dto;
    }

    private static OprfKeysDto? ReadOprf(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Require(ref r, JsonTokenType.StartObject);
        var keys = new OprfKeysDto();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var name = r;
            Next(ref r);
            if (name.ValueTextEquals("active"u8)) { keys.Active = ReadOprfKey(ref r); }
            else if (name.ValueTextEquals("pending"u8)) { keys.Pending = ReadOprfKey(ref r); }
            else { r.Skip(); }
        }

        Require(ref r, JsonTokenType.EndObject);
        return keys;
    }

    private static OprfKeyDto? ReadOprfKey(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Require(ref r, JsonTokenType.StartObject);
        var key = new OprfKeyDto();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var name = r;
            Next(ref r);
            if (name.ValueTextEquals("seed"u8)) { key.Seed = r.GetString(); }
            else if (name.ValueTextEquals("keyId"u8)) { key.KeyId = r.GetString(); }
            else if (name.ValueTextEquals("created"u8)) { key.Created = r.GetDateTimeOffset(); }
            else { r.Skip(); }
        }

        Require(ref r, JsonTokenType.EndObject);
        return key;
    }
}

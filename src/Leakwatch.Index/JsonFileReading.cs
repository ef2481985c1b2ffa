using System.Text.Json;

namespace Leakwatch.Index;

/// <summary>
/// The few steps every hand-written reader of our small JSON files (manifest, key file, breach snapshot) takes
/// with <see cref="Utf8JsonReader"/>. Those files are read by hand, not by the serializer, because each one-shot
/// command reads them and the serializer's generic metadata over value types would be JIT-compiled at each
/// start (it cannot be precompiled into our ReadyToRun images). Every failure is a <see cref="JsonException"/>.
/// </summary>
public static class JsonFileReading
{
    /// <summary>A reader over <paramref name="json"/> with a leading UTF-8 byte order mark (an editor's) skipped.</summary>
    public static Utf8JsonReader Reader(ReadOnlySpan<byte> json) =>
        new(json.StartsWith("\uFEFF"u8) ? json[3..] : json);

    /// <summary>Reads the next token; the data must not end here.</summary>
    public static JsonTokenType Next(ref Utf8JsonReader r) =>
        r.Read() ? r.TokenType : throw new JsonException("unexpected end of data");

    /// <summary>Throws unless the current token is <paramref name="expected"/>.</summary>
    public static void Require(ref Utf8JsonReader r, JsonTokenType expected)
    {
        if (r.TokenType != expected)
        {
            throw new JsonException($"expected {expected} at byte {r.TokenStartIndex}");
        }
    }

    /// <summary>Throws unless nothing but whitespace follows the value just read.</summary>
    public static void RequireEnd(ref Utf8JsonReader r)
    {
        if (r.Read())
        {
            throw new JsonException($"unexpected content at byte {r.TokenStartIndex}");
        }
    }
}

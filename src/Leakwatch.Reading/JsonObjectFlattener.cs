using System.Buffers;
using System.Text;
using System.Text.Json;
using Leakwatch.Core;

namespace Leakwatch.Reading;

/// <summary>
/// Flattens one JSON object into the reusable row. Nested objects become dotted paths
/// (<c>{"contact": {"email": …}}</c> → column <c>contact.email</c>), and a path's role is that of the whole
/// path as a header name, else of its last segment. An array of scalars is one value, its items joined by
/// "; " — the form of a cell holding several identifiers, so <c>"emails": ["a@x", "b@y"]</c> keeps both in one
/// field instead of silently keeping the first or multiplying the row. An array holding objects or arrays is
/// kept as its raw JSON text, as JSON Lines does. null is empty.
/// </summary>
internal sealed class JsonObjectFlattener(BufferedDumpRow row) : IDisposable
{
    /// <summary>The row problem for a JSON string that is well-formed but does not decode to text.</summary>
    internal const string UndecodableString = "invalid JSON string: invalid UTF-8 or a lone surrogate escape (\\uD800)";

    private const int MaxDepth = 64;
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip };

    private readonly int[] _prefix = new int[MaxDepth + 1];
    private byte[][] _keys = [];
    private byte[] _path = ArrayPool<byte>.Shared.Rent(256);
    private char[] _joined = ArrayPool<char>.Shared.Rent(256);
    private int _pathLength;
    private int _expected;

    /// <summary>The columns: the paths of <paramref name="first"/>, the first object.</summary>
    public ColumnMap Discover(string file, long line, ReadOnlySpan<byte> first)
    {
        var columns = new List<DumpColumn>();
        var values = new List<string>();
        try
        {
            var reader = new Utf8JsonReader(first, Options);
            using var doc = JsonDocument.ParseValue(ref reader);
            Collect(doc.RootElement, "", columns, values);
        }
        catch (JsonException)
        {
            throw new DumpFormatException(file, line, "the first element of the JSON array is not valid JSON");
        }
        catch (InvalidOperationException)
        {
            // JsonDocument checks a name or string only when it is read: invalid UTF-8 or a lone surrogate escape.
            throw new DumpFormatException(file, line, $"the first element of the JSON array: {UndecodableString}");
        }

        _keys = new byte[columns.Count][];
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = Encoding.UTF8.GetBytes(columns[i].Name);
        }

        return DumpReader.FinishMap(file, line, columns, sniffable: true, [values.ToArray()], "property");
    }

    private static void Collect(JsonElement obj, string prefix, List<DumpColumn> columns, List<string> values)
    {
        foreach (var p in obj.EnumerateObject())
        {
            var path = prefix + p.Name;
            if (p.Value.ValueKind == JsonValueKind.Object)
            {
                Collect(p.Value, path + ".", columns, values);
            }
            else if (!columns.Exists(c => string.Equals(c.Name, path, StringComparison.Ordinal)))
            {
                columns.Add(new DumpColumn(path, RoleOf(path)));
                values.Add(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : "");
            }
        }
    }

    public static FieldRole RoleOf(string path)
    {
        var role = ColumnRoles.FromName(path);
        var dot = path.LastIndexOf('.');
        return role == FieldRole.Other && dot >= 0 ? ColumnRoles.FromName(path.AsSpan(dot + 1)) : role;
    }

    /// <returns>null when the row was filled, else the problem that makes it a bad row.</returns>
    public string? Fill(ReadOnlySpan<byte> element, long line)
    {
        row.Begin(line);
        row.SetRawLength(Encoding.UTF8.GetChars(element, row.RawBuffer(element.Length)));
        try
        {
            var reader = new Utf8JsonReader(element, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "not a JSON object";
            }

            Walk(ref reader, element);
            return reader.Read() ? "invalid JSON" : null;
        }
        catch (JsonException)
        {
            return "invalid JSON";
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader validates a name or string only when it is decoded.
            return UndecodableString;
        }
    }

    private void Walk(ref Utf8JsonReader reader, ReadOnlySpan<byte> element)
    {
        var depth = 1;
        _prefix[0] = 0;
        _expected = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    _pathLength = _prefix[depth - 1];
                    AppendName(ref reader);
                    break;
                case JsonTokenType.StartObject:
                    Append((byte)'.');
                    _prefix[depth++] = _pathLength;
                    break;
                case JsonTokenType.EndObject:
                    if (--depth == 0)
                    {
                        return;
                    }

                    break;
                case JsonTokenType.StartArray:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    Array(element[start..(int)reader.BytesConsumed], Find());
                    break;
                case JsonTokenType.String:
                    StringValue(ref reader, Find());
                    break;
                case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                    Literal(reader.ValueSpan, Find());
                    break;
            }
        }
    }

    private void StringValue(ref Utf8JsonReader reader, int col)
    {
        if (col < 0)
        {
            return;
        }

        var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        var buffer = row.ValueBuffer(length);
        var n = reader.CopyString(buffer);
        var value = buffer[..n];
        var trimmed = value.Trim();
        if (trimmed.Length != value.Length && trimmed.Length > 0)
        {
            value.Slice(value.Length - value.TrimStart().Length, trimmed.Length).CopyTo(value);
        }

        row.CommitValue(col, trimmed.Length);
    }

    private void Literal(ReadOnlySpan<byte> utf8, int col)
    {
        if (col >= 0)
        {
            row.CommitValue(col, Encoding.UTF8.GetChars(utf8, row.ValueBuffer(utf8.Length)));
        }
    }

    private void Array(ReadOnlySpan<byte> json, int col)
    {
        if (col < 0)
        {
            return;
        }

        var reader = new Utf8JsonReader(json, Options);
        reader.Read();
        var n = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                row.CommitValue(col, Encoding.UTF8.GetChars(json, row.ValueBuffer(json.Length)));
                return;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            EnsureJoined(n + 2 + reader.ValueSpan.Length);
            if (n > 0)
            {
                _joined[n++] = ';';
                _joined[n++] = ' ';
            }

            n += reader.TokenType == JsonTokenType.String
                ? reader.CopyString(_joined.AsSpan(n))
                : Encoding.UTF8.GetChars(reader.ValueSpan, _joined.AsSpan(n));
        }

        row.SetValue(col, _joined.AsSpan(0, n).Trim());
    }

    private int Find()
    {
        var path = _path.AsSpan(0, _pathLength);
        if (_expected < _keys.Length && path.SequenceEqual(_keys[_expected]))
        {
            return _expected++;
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            if (path.SequenceEqual(_keys[i]))
            {
                _expected = i + 1;
                return i;
            }
        }

        return -1;
    }

    private void AppendName(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        EnsurePath(_pathLength + length);
        _pathLength += reader.CopyString(_path.AsSpan(_pathLength));
    }

    private void Append(byte b)
    {
        EnsurePath(_pathLength + 1);
        _path[_pathLength++] = b;
    }

    private void EnsurePath(int length)
    {
        if (_path.Length < length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(length * 2);
            _path.AsSpan(0, _pathLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_path);
            _path = bigger;
        }
    }

    private void EnsureJoined(int length)
    {
        if (_joined.Length < length)
        {
            var bigger = ArrayPool<char>.Shared.Rent(length * 2);
            _joined.CopyTo(bigger, 0);
            ArrayPool<char>.Shared.Return(_joined);
            _joined = bigger;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_path);
        ArrayPool<char>.Shared.Return(_joined);
        _path = [];
        _joined = [];
    }
}

using System.Text;
using System.Text.Json;

namespace Leakwatch.Reading;

internal static class JsonLinesFileReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Columns come from the first object's keys (in order); keys that appear only in later objects are
    /// ignored. Strings/numbers/booleans are values (null → empty); a nested object or array is delivered as its
    /// raw JSON text under its top-level key (not flattened).</summary>
    public static void Read(string file, string? compression, string sampleText, ReaderOptions options,
        RecordScanner scanner, IDumpRowSink sink, BufferedDumpRow row, CancellationToken ct)
    {
        var layout = Prepare(file, compression, sampleText);
        sink.OnFileStart(layout.Info, layout.Map);
        row.StartFile(file, layout.Map);
        long line = 1;
        while (true)
        {
            var chunk = scanner.NextClean();
            if (chunk.IsEmpty)
            {
                break;
            }

            line = ParseLines(layout, chunk.Span, line, row, sink, scanner, ct);
        }

        DumpReader.DrainProblems(scanner, sink, long.MaxValue);
    }

    /// <summary>Parses one run of whole lines whose first line is <paramref name="firstLine"/> of the file.</summary>
    public static void ParseChunk(JsonLinesLayout layout, ReadOnlySpan<byte> chunk, long firstLine, BufferedDumpRow row,
        IDumpRowSink sink, CancellationToken ct) =>
        ParseLines(layout, chunk, firstLine, row, sink, scanner: null, ct);

    /// <returns>The line number after the span's last line.</returns>
    private static long ParseLines(JsonLinesLayout layout, ReadOnlySpan<byte> span, long line, BufferedDumpRow row,
        IDumpRowSink sink, RecordScanner? scanner, CancellationToken ct)
    {
        while (!span.IsEmpty)
        {
            var nl = span.IndexOf((byte)'\n');
            var record = nl >= 0 ? span[..nl] : span;
            span = nl >= 0 ? span[(nl + 1)..] : default;
            ReadRecord(record.Trim(" \t\r"u8), line, layout.Info.Path, layout.Keys, scanner, sink, row);
            if ((++line & 0xFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        return line;
    }

    /// <summary>Columns from the first object's keys in the sample.</summary>
    public static JsonLinesLayout Prepare(string file, string? compression, string sampleText)
    {
        var columns = new List<DumpColumn>();
        var sampleRows = new List<string[]>();
        long firstLine = 0;
        var lineNo = 0L;
        foreach (var l in sampleText.Split('\n'))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(l))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(l);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (columns.Count == 0)
                {
                    firstLine = lineNo;
                    foreach (var p in doc.RootElement.EnumerateObject())
                    {
                        columns.Add(new DumpColumn(p.Name, ColumnRoles.FromName(p.Name)));
                    }
                }

                var values = new string[columns.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = doc.RootElement.TryGetProperty(columns[i].Name, out var v) && v.ValueKind == JsonValueKind.String
                        ? v.GetString() ?? ""
                        : "";
                }

                sampleRows.Add(values);
                if (sampleRows.Count >= Sniffer.RoleSampleRows)
                {
                    break;
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // InvalidOperationException: a name or string that does not decode (a lone surrogate escape such as
                // "\uD800"); the sample skips the line as it skips invalid JSON, and reading reports it.
            }
        }

        var map = DumpReader.FinishMap(file, firstLine, columns, sniffable: true, sampleRows, "property");
        var keys = new byte[columns.Count][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Encoding.UTF8.GetBytes(columns[i].Name);
        }

        return new JsonLinesLayout(new DumpFileInfo(file, "jsonl", null, false, compression), map, keys);
    }

    private static void ReadRecord(ReadOnlySpan<byte> record, long line, string file, byte[][] keys,
        RecordScanner? scanner, IDumpRowSink sink, BufferedDumpRow row)
    {
        if (record.IsEmpty)
        {
            return;
        }

        if (scanner is not null)
        {
            DumpReader.DrainProblems(scanner, sink, line);
        }
        row.Begin(line);
        var raw = row.RawBuffer(record.Length);
        row.SetRawLength(Encoding.UTF8.GetChars(record, raw));
        try
        {
            var reader = new Utf8JsonReader(record, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                sink.OnProblem(new RowProblem(file, line, "not a JSON object"));
                return;
            }

            var expected = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var col = FindColumn(ref reader, keys, expected);
                reader.Read();
                if (col < 0)
                {
                    reader.Skip();
                    continue;
                }

                expected = col + 1;
                ReadValue(ref reader, record, row, col);
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                sink.OnProblem(new RowProblem(file, line, "invalid JSON"));
                return;
            }
        }
        catch (JsonException)
        {
            sink.OnProblem(new RowProblem(file, line, "invalid JSON"));
            return;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader validates a string only when it is decoded: an escape naming half a surrogate pair.
            sink.OnProblem(new RowProblem(file, line, JsonObjectFlattener.UndecodableString));
            return;
        }

        sink.OnRow(row);
    }

    /// <summary>Copies the value the reader stands on into column <paramref name="col"/>: a string decoded, a number
    /// or literal as written, an object or array as its raw JSON text.</summary>
    private static void ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> record, BufferedDumpRow row, int col)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                {
                    var buffer = row.ValueBuffer(reader.ValueSpan.Length);
                    var n = reader.CopyString(buffer);
                    Commit(row, col, buffer[..n]);
                    break;
                }
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                {
                    var buffer = row.ValueBuffer(reader.ValueSpan.Length);
                    var n = Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
                    row.CommitValue(col, n);
                    break;
                }
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var json = record[start..(int)reader.BytesConsumed];
                    var buffer = row.ValueBuffer(json.Length);
                    row.CommitValue(col, Encoding.UTF8.GetChars(json, buffer));
                    break;
                }
        }
    }

    private static void Commit(BufferedDumpRow row, int col, Span<char> value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length != value.Length && trimmed.Length > 0)
        {
            var lead = value.Length - value.TrimStart().Length;
            value.Slice(lead, trimmed.Length).CopyTo(value);
        }

        row.CommitValue(col, trimmed.Length);
    }

    private static int FindColumn(ref Utf8JsonReader reader, byte[][] keys, int expected)
    {
        if (expected < keys.Length && reader.ValueTextEquals(keys[expected]))
        {
            return expected;
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (reader.ValueTextEquals(keys[i]))
            {
                return i;
            }
        }

        return -1;
    }
}

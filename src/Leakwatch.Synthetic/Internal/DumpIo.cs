using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Leakwatch.Storage.Input;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Opens and reads dumps written by this generator (any shape; plain, gzip or zstd, see <see cref="CompressedInput"/>).</summary>
internal static class DumpIo
{
    /// <summary>The compressing stream for a path ending in .gz or .zst, or null; it leaves <paramref name="file"/> open.</summary>
    public static Stream? Compressor(string path, Stream file)
    {
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
        if (path.EndsWith(".zst", StringComparison.OrdinalIgnoreCase)) return new ZstdSharp.CompressionStream(file, 3, leaveOpen: true);
        return null;
    }

    /// <summary>The data rows of a dump, each as its 11 fields in <see cref="Fields"/> order.</summary>
    public static IEnumerable<string[]> ReadRows(string path)
    {
        using var input = CompressedInput.Open(path);
        using var reader = new StreamReader(input.Stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16);
        string? line = reader.ReadLine();
        if (line is null) yield break;
        DumpShape shape = line == Fields.CsvHeader ? DumpShape.Csv : line.StartsWith('{') ? DumpShape.JsonLines : DumpShape.Colon;
        if (shape == DumpShape.Csv) line = reader.ReadLine();
        for (; line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0) continue;
            yield return shape switch
            {
                DumpShape.Csv => SplitCsv(line),
                DumpShape.JsonLines => SplitJson(line),
                _ => SplitColon(line),
            };
        }
    }

    private static string[] SplitColon(string line)
    {
        string[] parts = line.Split(':');
        if (parts.Length != Fields.Count) throw new InvalidDataException($"not a colon row of {Fields.Count} fields");
        return parts;
    }

    public static string[] SplitCsv(string line)
    {
        var fields = new List<string>(Fields.Count);
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
            }
            else
            {
                int end = line.IndexOf(',', i);
                if (end < 0) end = line.Length;
                sb.Append(line, i, end - i);
                i = end;
            }
            fields.Add(sb.ToString());
            if (i >= line.Length) break;
            if (line[i] != ',') throw new InvalidDataException("bad CSV row");
            i++;
            if (i == line.Length)
            {
                fields.Add("");
                break;
            }
        }
        if (fields.Count != Fields.Count) throw new InvalidDataException($"not a CSV row of {Fields.Count} fields");
        return [.. fields];
    }

    private static string[] SplitJson(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        var fields = new string[Fields.Count];
        for (int f = 0; f < Fields.Count; f++)
        {
            fields[f] = doc.RootElement.TryGetProperty(Fields.Names[f], out JsonElement e) && e.ValueKind == JsonValueKind.String
                ? e.GetString() ?? ""
                : "";
        }
        return fields;
    }
}

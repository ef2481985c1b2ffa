using System.Text;
using System.Text.Json;
using FsCheck.Xunit;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>Any string written as a mysqldump literal, a pg_dump COPY field or a JSON string reads back unchanged.
/// Values are wrapped in markers so the readers' trimming does not apply.</summary>
public sealed class SqlJsonRoundTripProperties
{
    private static string Interesting(string? s, int seed) =>
        "<" + Valid(s) + (seed % 4) switch
        {
            0 => "'\\\"''\\'\n\r\t",
            1 => "é😀\0\x1A",
            2 => ";),(\\N",
            _ => "",
        } + ">";

    /// <summary>Lone surrogates have no UTF-8 form, so no dump can hold them.</summary>
    private static string Valid(string? s)
    {
        var sb = new StringBuilder();
        foreach (var r in (s ?? "").EnumerateRunes())
        {
            sb.Append(r == Rune.ReplacementChar ? "x" : r.ToString());
        }

        return sb.ToString();
    }

    private static List<string[]> ReadBack(string content, ReaderOptions options)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);
            var sink = new RecordingSink();
            DumpReader.Read(path, options, sink);
            return [.. sink.Rows.Select(r => r.Values)];
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property(MaxTest = 200)]
    public bool MySqlLiteral_ReadsBackTheSameString(string[] values, bool doubled, int seed)
    {
        var expected = values.Select((v, i) => Interesting(v, seed + i)).Append(Interesting(null, seed)).ToList();
        var tuples = expected.Select((v, i) => $"('u{i}@example.com',{SqlLiterals.MySql(v, doubled)})");
        var dump = $"CREATE TABLE `t` (`email` text, `note` text);\nINSERT INTO `t` VALUES {string.Join(",\n", tuples)};\n";
        var rows = ReadBack(dump, new ReaderOptions { Format = DumpFormat.Sql });
        return rows.Select(r => r[1]).SequenceEqual(expected, StringComparer.Ordinal);
    }

    [Property(MaxTest = 200)]
    public bool PgCopyField_ReadsBackTheSameString(string[] values, int seed)
    {
        var expected = values.Select((v, i) => Interesting(v, seed + i)).Append(Interesting(null, seed)).ToList();
        var lines = expected.Select((v, i) => $"u{i}@example.com\t{SqlLiterals.PgCopy(v)}\n");
        var dump = $"COPY public.t (email, note) FROM stdin;\n{string.Concat(lines)}\\.\n";
        var rows = ReadBack(dump, new ReaderOptions { Format = DumpFormat.Sql });
        return rows.Select(r => r[1]).SequenceEqual(expected, StringComparer.Ordinal);
    }

    [Property(MaxTest = 200)]
    public bool JsonArrayString_ReadsBackTheSameString(string[] values, bool indented, int seed)
    {
        var expected = values.Select((v, i) => Interesting(v, seed + i)).Append(Interesting(null, seed)).ToList();
        var objects = expected.Select((v, i) => new { email = $"u{i}@example.com", nested = new { note = v } });
        var json = JsonSerializer.Serialize(objects, new JsonSerializerOptions { WriteIndented = indented });
        var rows = ReadBack(json, ReaderOptions.Default);
        return rows.Select(r => r[1]).SequenceEqual(expected, StringComparer.Ordinal);
    }
}

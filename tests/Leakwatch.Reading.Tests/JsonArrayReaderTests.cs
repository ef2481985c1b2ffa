using System.Text;
using System.Text.Json;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>Top-level JSON arrays of nested objects, built in the test from known rows and read back exactly.</summary>
public sealed class JsonArrayReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("leakwatch-jsonarray-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Pretty-printed objects with the email and phone nested under "contact"; every 50th element is
    /// broken (a bad row); returns the dump and, per good row, its line, email and phone.</summary>
    internal static (string Json, List<(long Line, string? Email, string Phone)> Rows, List<long> BadLines) Nested(int count)
    {
        var rows = new List<(long, string?, string)>();
        var bad = new List<long>();
        var sb = new StringBuilder("[\n");
        long line = 2;
        for (var i = 0; i < count; i++)
        {
            var email = i % 9 == 4 ? null : $"json{i}@example.org";
            var phone = $"+4915{i:D9}";
            var element = i % 50 == 49
                ? "  {\n    \"id\": " + i + ",\n    \"contact\": { \"email\": tru }\n  }"
                : JsonSerializer.Serialize(new
                {
                    id = i,
                    name = $"Näme \"{i}\"\n😀",
                    contact = new { email, phone, address = new { city = "Köln", zip = "50667" } },
                    tags = new object[] { "a", i, true },
                }, new JsonSerializerOptions { WriteIndented = true }).Replace("\n", "\n  ");
            if (i % 50 == 49)
            {
                bad.Add(line);
            }
            else
            {
                rows.Add((line, email, phone));
            }

            sb.Append("  ").Append(element).Append(i < count - 1 ? ",\n" : "\n");
            line += element.Count(c => c == '\n') + 1;
        }

        sb.Append("]\n");
        return (sb.ToString(), rows, bad);
    }

    [Fact]
    public void Read_PrettyPrintedNestedArray_FlattensPathsAndCountsExactly()
    {
        var (json, expected, badLines) = Nested(500);
        var path = Path.Combine(_dir, "people.json");
        File.WriteAllText(path, json);
        var sink = new RecordingSink();
        DumpReader.Read(path, new ReaderOptions { Format = DumpFormat.JsonLines }, sink);

        Assert.Contains(
            "columns: id(Other) name(Name) contact.email(Email) contact.phone(Phone) contact.address.city(Location) contact.address.zip(Other) tags(Other)\n",
            sink.Text.ToString());
        Assert.Equal(expected.Select(e => e.Line), sink.Rows.Select(r => r.Line));
        Assert.Equal(expected.Select(e => e.Email ?? ""), sink.Rows.Select(r => r.Values[2]), StringComparer.Ordinal);
        Assert.Equal(expected.Select(e => e.Phone), sink.Rows.Select(r => r.Values[3]), StringComparer.Ordinal);
        Assert.Equal("Näme \"0\"\n😀", sink.Rows[0].Values[1]);
        Assert.Equal("Köln", sink.Rows[0].Values[4]);
        Assert.Equal(badLines, sink.Problems.Select(p => p.LineNumber));
    }

    /// <summary>Arrays of scalars are one value joined by "; " (so several identifiers stay in one cell);
    /// arrays holding objects keep their raw JSON text.</summary>
    [Fact]
    public void Read_ArrayValues_ScalarsJoinedObjectsRaw()
    {
        var path = Path.Combine(_dir, "emails.json");
        File.WriteAllText(path, """[{"emails": ["a@example.com", " b@example.com", null, 7], "orders": [{"id": 1}]}, {"emails": []}]""");
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Equal("json", Assert.Single(sink.Files).Format);
        Assert.Equal([["a@example.com;  b@example.com; 7", """[{"id": 1}]"""], ["", ""]], sink.Rows.Select(r => r.Values));
    }

    [Fact]
    public void Read_ArrayOfNonObjects_FailsNamingTheFile()
    {
        var path = Path.Combine(_dir, "numbers.json");
        File.WriteAllText(path, "[1, 2, 3]");
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, new RecordingSink()));
        Assert.StartsWith(path + ": no data rows found", e.Message);
    }
}

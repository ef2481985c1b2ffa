using System.Text;
using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>A generated dump whose truth is known, rewritten as a mysqldump, a pg_dump and a nested JSON array,
/// ingested by the real CLI and checked exactly: the rewrite keeps every row's values, so the truth holds.</summary>
public class SqlJsonIngestTests
{
    private static List<JsonElement> GeneratedRows(TempDir dir, out GeneratorTruth truth)
    {
        var source = dir.File("source.jsonl");
        truth = DumpGenerator.Generate(new GeneratorOptions(6_000, 4242, DumpShape.JsonLines), source, collectIdentifiers: true);
        return [.. File.ReadLines(source).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement)];
    }

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ValueKind == JsonValueKind.Null ? "" : value.GetRawText();

    private static string MySql(string value) =>
        "'" + value.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n") + "'";

    private static string MySqlDump(List<JsonElement> rows)
    {
        var columns = rows[0].EnumerateObject().Select(p => p.Name).ToList();
        var sb = new StringBuilder("-- MySQL dump 10.13\n");
        sb.Append("CREATE TABLE `audit` (`id` int, `action` varchar(20));\nINSERT INTO `audit` VALUES (1,'login'),(2,'x');\n");
        sb.Append("CREATE TABLE `members` (").AppendJoin(", ", columns.Select(c => $"`{c}` text")).Append(");\n");
        for (var i = 0; i < rows.Count; i += 100)
        {
            var tuples = rows.Skip(i).Take(100).Select(r => "(" + string.Join(",", columns.Select(c =>
                r.TryGetProperty(c, out var v) && v.ValueKind != JsonValueKind.Null ? MySql(Text(v)) : "NULL")) + ")");
            sb.Append("INSERT INTO `members` VALUES ").AppendJoin(",", tuples).Append(";\n");
        }

        // Two bad rows: too few values, and junk after a value.
        sb.Append("INSERT INTO `members` VALUES ('only-one'),('a' 'b');\n");
        return sb.ToString();
    }

    private static string PgDump(List<JsonElement> rows)
    {
        var columns = rows[0].EnumerateObject().Select(p => p.Name).ToList();
        var sb = new StringBuilder("--\n-- PostgreSQL database dump\n--\nSET standard_conforming_strings = on;\n");
        sb.Append("COPY public.members (").AppendJoin(", ", columns).Append(") FROM stdin;\n");
        foreach (var r in rows)
        {
            sb.AppendJoin('\t', columns.Select(c => r.TryGetProperty(c, out var v) && v.ValueKind != JsonValueKind.Null
                ? Text(v).Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n")
                : "\\N")).Append('\n');
        }

        sb.Append("one-field-only\n\\.\n");
        return sb.ToString();
    }

    /// <summary>Email and phone move under "contact", so their columns are the paths contact.email and contact.phone.</summary>
    private static string NestedJsonArray(List<JsonElement> rows)
    {
        var objects = rows.Select(r =>
        {
            var top = new Dictionary<string, object?>(StringComparer.Ordinal);
            var contact = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var p in r.EnumerateObject())
            {
                (p.Name is "email" or "phone" ? contact : top)[p.Name] = p.Value;
            }

            top["contact"] = contact;
            return top;
        }).Cast<object>().ToList();
        var json = JsonSerializer.Serialize(objects, new JsonSerializerOptions { WriteIndented = true });
        // One bad element: an object with invalid JSON inside, its own row lost only.
        return json.Insert(json.LastIndexOf(']'), ",\n  { \"contact\": { \"email\": nope } }\n");
    }

    [Theory]
    [InlineData("mysqldump", "sql", 2)]
    [InlineData("pgdump", "", 1)]
    [InlineData("nested", "json", 1)]
    public void Ingest_RewrittenDump_CountsProblemsAndLookupsMatchTruth(string shape, string format, int badRows)
    {
        using var dir = new TempDir();
        var rows = GeneratedRows(dir, out var truth);
        var dump = dir.File(string.Equals(shape, "nested", StringComparison.Ordinal) ? "dump.json" : "dump.sql");
        File.WriteAllText(dump, shape switch
        {
            "mysqldump" => MySqlDump(rows),
            "pgdump" => PgDump(rows),
            _ => NestedJsonArray(rows),
        });
        string[] extra = format.Length > 0 ? ["--format", format] : [];
        var stats = IngestEndToEndTests.Ingest(dir, dump, "Rewritten", extra);
        Assert.Equal(truth.Rows, stats.GetProperty("rows").GetInt64());
        IngestEndToEndTests.AssertCountsMatchTruth(stats, truth);
        Assert.Equal(badRows, stats.GetProperty("problems").GetProperty("count").GetInt64());

        var accounts = truth.Emails!.Take(20).Concat(truth.Phones!.Take(20).Select(IngestEndToEndTests.Plus)).ToList();
        var answers = IngestEndToEndTests.Check(dir, accounts);
        Assert.All(accounts, a => Assert.Equal(["Rewritten"], answers[a]));
    }

    [Fact]
    public void Ingest_TableOptionNamingATableWithoutIdentifiers_FailsWithBadInput()
    {
        using var dir = new TempDir();
        var rows = GeneratedRows(dir, out _);
        var dump = dir.File("dump.sql");
        File.WriteAllText(dump, MySqlDump(rows));
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", "Audit", "--table", "audit"]);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("no email or phone column", r.Stderr);
    }
}

using System.Globalization;
using System.Text;
using Leakwatch.Core;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>SQL dumps built in the test from known rows, read back and compared exactly.</summary>
public sealed class SqlDumpReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("leakwatch-sql-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Email(int i) => $"user{i}@example.com";

    private static string Phone(int i) => $"+4479{i:D8}";

    private static string Name(int i) => $"O'Brien \\{i}\" \n{(i % 5 == 0 ? "Zoë 😀" : "x")}";

    /// <summary>A mysqldump of an identifier-less table and a users table, extended inserts of 37 tuples per
    /// line, with NULL emails, hex and _binary literals, and two malformed tuples; returns the expected rows and
    /// the lines of the bad ones.</summary>
    internal static (byte[] Dump, List<(long Line, string? Email, string Phone, string Name)> Rows, List<long> BadLines)
        MySqlDump(int count)
    {
        var text = new StringBuilder();
        var rows = new List<(long, string?, string, string)>();
        var bad = new List<long>();
        long line = 1;
        void Line(string s)
        {
            text.Append(s).Append('\n');
            line += 1 + s.Count(c => c == '\n');
        }

        Line("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)");
        Line("/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;");
        // As mysqldump writes it: the declared charset keeps the file UTF-8 although its raw _binary bytes are not.
        Line("/*!40101 SET NAMES utf8mb4 */;");
        Line("DROP TABLE IF EXISTS `orders`;");
        Line("CREATE TABLE `orders` (\n  `id` int NOT NULL,\n  `amount` decimal(10,2) DEFAULT '0.00',\n  `note` varchar(20) DEFAULT 'a;b',\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;");
        Line("INSERT INTO `orders` VALUES (1,9.50,'it''s; fine'),(2,NULL,'x');");
        Line("CREATE TABLE `users` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `email` varchar(255) DEFAULT NULL,\n  `phone` varchar(20),\n  `full_name` text COMMENT 'a, b',\n  `pw` varbinary(16),\n  KEY `ix_email` (`email`)\n) ENGINE=InnoDB;");
        Line("LOCK TABLES `users` WRITE;");
        var statement = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var email = i % 10 == 3 ? null : Email(i);
            var nameLiteral = (i % 7) switch
            {
                0 => $"X'{SqlLiterals.Hex(Name(i))}'",
                1 => $"0x{SqlLiterals.Hex(Name(i))}",
                2 => "_utf8mb4" + SqlLiterals.MySql(Name(i), doubled: true),
                _ => SqlLiterals.MySql(Name(i)),
            };
            statement.Append(statement.Length == 0 ? "INSERT INTO `users` VALUES " : ",");
            // Odd rows' _binary value is not UTF-8 (the marker becomes raw 0xFF 0xFE bytes): that field is empty.
            var binary = i % 2 == 0 ? "_binary 'ok\\0'" : "_binary '\\0\\'@@BIN@@'";
            statement.Append(CultureInfo.InvariantCulture, $"({i},{(email is null ? "NULL" : SqlLiterals.MySql(email))},'{Phone(i)}',{nameLiteral},{binary})");
            rows.Add((line, email, Phone(i), Name(i)));
            if (i % 37 == 36 || i == count - 1)
            {
                Line(statement.Append(';').ToString());
                statement.Clear();
            }
        }

        // Four values for five columns, and a value followed by junk: two bad rows, the good tuple between kept.
        bad.Add(line);
        bad.Add(line);
        rows.Add((line, "between@example.com", "+447900000001", "between"));
        Line("INSERT INTO `users` VALUES (90001,'short@example.com',NULL,'x'),(90002,'between@example.com','+447900000001','between',NULL),(90003,'junk@example.com' 'more',NULL,'n',NULL);");
        Line("UNLOCK TABLES;");
        var bytes = Encoding.UTF8.GetBytes(text.ToString()).AsSpan();
        var output = new List<byte>(bytes.Length);
        var marker = "@@BIN@@"u8;
        for (var at = bytes.IndexOf(marker); at >= 0; at = bytes.IndexOf(marker))
        {
            output.AddRange(bytes[..at]);
            output.AddRange([0xFF, 0xFE]);
            bytes = bytes[(at + marker.Length)..];
        }

        output.AddRange(bytes);
        return (output.ToArray(), rows, bad);
    }

    [Fact]
    public void Read_MySqlDumpWithExtendedInserts_RowsValuesAndBadRowsExact()
    {
        var (dump, expected, badLines) = MySqlDump(1000);
        var path = Path.Combine(_dir, "users.sql");
        File.WriteAllBytes(path, dump);
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);

        Assert.Equal("sql", Assert.Single(sink.Files).Format);
        Assert.Equal(expected.Count, sink.Rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (line, email, phone, name) = expected[i];
            var row = sink.Rows[i];
            Assert.Equal(line, row.Line);
            Assert.Equal(email ?? "", row.Values[1]);
            Assert.Equal(phone, row.Values[2]);
            Assert.Equal(name.Trim(), row.Values[3]);
            Assert.Equal(i < expected.Count - 1 && i % 2 == 0 ? "ok\0" : "", row.Values[4]);
        }

        Assert.Equal(badLines, sink.Problems.Select(p => p.LineNumber).ToList());
        Assert.Equal(expected.Count(r => r.Email is not null), sink.Rows.Select(r => r.Values[1]).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Read_MySqlDump_ColumnsFromCreateTableMapToRoles()
    {
        var path = Path.Combine(_dir, "users.sql");
        File.WriteAllBytes(path, MySqlDump(3).Dump);
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Contains("columns: id(Other) email(Email) phone(Phone) full_name(Name) pw(Other)\n", sink.Text.ToString());
    }

    [Fact]
    public void Read_TableOption_ReadsThatTableOnly()
    {
        var path = Path.Combine(_dir, "two.sql");
        File.WriteAllText(path, """
            CREATE TABLE a (id int, email text);
            CREATE TABLE b (uid int, mobile text, mail text);
            INSERT INTO a VALUES (1,'a1@example.com');
            INSERT INTO b (mail, mobile, uid) VALUES ('b1@example.com','+15550100',7),('b2@example.com',NULL,8);
            INSERT INTO a VALUES (2,'a2@example.com');
            INSERT INTO a VALUES (b'101',N'a3@example.com');
            """);
        var first = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, first);
        Assert.Equal(["a1@example.com", "a2@example.com", "a3@example.com"], first.Rows.Select(r => r.Values[1]), StringComparer.Ordinal);
        Assert.Equal("101", first.Rows[^1].Values[0]);
        Assert.Empty(first.Problems);

        var chosen = new RecordingSink();
        DumpReader.Read(path, new ReaderOptions { Format = DumpFormat.Sql, Table = "B" }, chosen);
        Assert.Equal([["7", "+15550100", "b1@example.com"], ["8", "", "b2@example.com"]], chosen.Rows.Select(r => r.Values));
        Assert.Equal([4L, 4L], chosen.Rows.Select(r => r.Line));
        Assert.Empty(chosen.Problems);
    }

    [Fact]
    public void Read_NoTableWithIdentifiers_FailsNamingTheFile()
    {
        var path = Path.Combine(_dir, "orders.sql");
        File.WriteAllText(path, "CREATE TABLE orders (id int, amount int);\nINSERT INTO orders VALUES (1,2);\n");
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, new RecordingSink()));
        Assert.StartsWith(path + ": no data rows found", e.Message);
        Assert.Contains("orders", e.Message);
    }

    [Fact]
    public void Read_PgDumpCopyBlock_NullsEscapesAndBadLines()
    {
        var names = new[] { "tab\there", "back\\slash", "new\nline", "Zoë", null };
        var text = new StringBuilder();
        text.Append("--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = on;\n");
        text.Append("CREATE TABLE public.people (\n    id integer NOT NULL,\n    email text,\n    name text\n);\n\n");
        text.Append("COPY public.people (id, email, name) FROM stdin;\n");
        for (var i = 0; i < names.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i}\t{SqlLiterals.PgCopy(i == 3 ? null : $"p{i}@example.com")}\t{SqlLiterals.PgCopy(names[i])}\n");
        }

        text.Append("5\tonly-two-fields@example.com\n");
        text.Append("6\toctal\\101@example.com\t\\x41\\102\n");
        text.Append("\\.\n\nINSERT INTO public.people VALUES (7, 'c:\\dir', 'it''s');\n");
        var path = Path.Combine(_dir, "pg.sql");
        File.WriteAllText(path, text.ToString());
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);

        Assert.Equal(
            [["0", "p0@example.com", "tab\there"], ["1", "p1@example.com", "back\\slash"], ["2", "p2@example.com", "new\nline"],
             ["3", "", "Zoë"], ["4", "p4@example.com", ""], ["6", "octalA@example.com", "AB"], ["7", "c:\\dir", "it's"]],
            sink.Rows.Select(r => r.Values));
        Assert.Equal([13L, 14L, 15L, 16L, 17L, 19L, 22L], sink.Rows.Select(r => r.Line));
        Assert.Equal(18L, Assert.Single(sink.Problems).LineNumber);
    }

    [Fact]
    public void Read_GzippedSqlAndParallelReader_SameRowsAsPlainRead()
    {
        var (dump, expected, _) = MySqlDump(500);
        var path = Path.Combine(_dir, "users.sql.gz");
        using (var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
        {
            gz.Write(dump);
        }

        var sink = new ParallelRecorder();
        DumpReader.ReadParallel(path, ReaderOptions.Default, 2, sink);
        Assert.Equal(expected.Count, sink.Rows);
        Assert.Equal(2, sink.Problems);
        Assert.Equal(1, sink.Files);
    }

    [Theory]
    [InlineData("-- MySQL dump 10.13\nINSERT INTO t (email) VALUES ('a@example.com');\n", "sql")]
    [InlineData("/* c */\n-- x\ninsert into t (email) values ('a@example.com');", "sql")]
    [InlineData("COPY public.t (email) FROM stdin;\na@example.com\n\\.\n", "sql")]
    [InlineData("set,email\nx,a@example.com\n", "delimited")]
    [InlineData("[{\"email\":\"a@example.com\"}]", "json")]
    public void Read_Auto_SniffsSqlFromItsFirstStatement(string content, string format)
    {
        var path = Path.Combine(_dir, "dump.txt");
        File.WriteAllText(path, content);
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);
        Assert.Equal(format, Assert.Single(sink.Files).Format);
        Assert.Contains(sink.Rows, r => r.Values.Contains("a@example.com"));
        Assert.Empty(sink.Problems);
    }

    private sealed class ParallelRecorder : IParallelDumpSink
    {
        private int _rows;
        private int _problems;

        public int Rows => _rows;
        public int Problems => _problems;
        public int Files { get; private set; }

        public void OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map) => Files++;

        public void OnRow(int thread, DumpRow row)
        {
            Assert.Equal(FieldRole.Email, row.Map.Columns[1].Role);
            Interlocked.Increment(ref _rows);
        }

        public void OnProblem(int fileIndex, RowProblem problem) => Interlocked.Increment(ref _problems);
    }
}

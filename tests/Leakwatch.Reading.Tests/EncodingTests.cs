using System.Globalization;
using System.Text;
using Leakwatch.Core;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>Dumps in the encodings old leaks come in, read through the public reader with exact values.</summary>
public sealed class EncodingTests : IDisposable
{
    private static readonly string[] Names = ["José", "Zoë", "François", "Müller", "Ångström", "Señor", "Øystein", "Cédric"];

    static EncodingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private readonly string _temp = Directory.CreateTempSubdirectory("leakwatch-enc-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static string Csv(int rows)
    {
        var sb = new StringBuilder("email,phone,first_name,note\n");
        for (var i = 0; i < rows; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"user{i}@example.com,+33 6 12 {i:D6},{Names[i % Names.Length]},€{i}\n");
        }

        return sb.ToString();
    }

    private static RecordingSink Read(string path, ReaderOptions? options = null)
    {
        var sink = new RecordingSink();
        DumpReader.Read(path, options ?? ReaderOptions.Default, sink);
        return sink;
    }

    [Fact]
    public void Read_Windows1252Csv_IsDetectedAndEveryValueTranscoded()
    {
        // 20,000 rows: far past the detection sample and the transcoder's buffers, so every boundary is crossed.
        var text = Csv(20_000);
        var path = Write("latin.csv", Encoding.GetEncoding(1252).GetBytes(text));
        var sink = Read(path);
        Assert.Empty(sink.Problems);
        Assert.Equal("windows-1252", Assert.Single(sink.Files).Encoding);
        Assert.Equal(20_000, sink.Rows.Count);
        for (var i = 0; i < sink.Rows.Count; i++)
        {
            Assert.Equal([$"user{i}@example.com", $"+33 6 12 {i:D6}", Names[i % Names.Length], $"€{i}"], sink.Rows[i].Values);
        }
    }

    [Fact]
    public void Read_Windows1252RowWithUndefinedByte_DamagesOnlyThatField()
    {
        var bytes = new List<byte>(Encoding.GetEncoding(1252).GetBytes("email,phone,name\na@example.com,+33 6 12 00 00 01,Hélène\n"));
        bytes.AddRange(Encoding.GetEncoding(1252).GetBytes("b@example.com,+33 6 12 00 00 02,Jos"));
        bytes.Add(0x81); // undefined in Windows-1252
        bytes.AddRange(Encoding.GetEncoding(1252).GetBytes("é\nc@example.com,+33 6 12 00 00 03,Noël\n"));
        var sink = Read(Write("bad.csv", [.. bytes]));
        Assert.Empty(sink.Problems);
        Assert.Equal("windows-1252", sink.Files[0].Encoding);
        Assert.Equal(3, sink.Rows.Count);
        Assert.Equal(["b@example.com", "+33 6 12 00 00 02", "Jos\uFFFDé"], sink.Rows[1].Values);
        Assert.Equal("Noël", sink.Rows[2].Values[2]);
    }

    [Theory]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    public void Read_Utf16WithBom_IsDetectedAndTranscoded(string name)
    {
        var encoding = new UnicodeEncoding(bigEndian: name == "utf-16be", byteOrderMark: true);
        var text = Csv(3_000);
        var path = Write("wide.csv", [.. encoding.GetPreamble(), .. encoding.GetBytes(text)]);
        var sink = Read(path);
        Assert.Empty(sink.Problems);
        Assert.Equal(name, sink.Files[0].Encoding);
        Assert.Equal(3_000, sink.Rows.Count);
        Assert.Equal(["user2999@example.com", "+33 6 12 002999", Names[2999 % Names.Length], "€2999"], sink.Rows[^1].Values);
    }

    [Fact]
    public void Read_Utf8WithBom_IsNamedSoAndTheBomIsNotInTheHeader()
    {
        var sink = Read(Write("bom.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Csv(2))]));
        Assert.Equal("utf-8-bom", sink.Files[0].Encoding);
        Assert.Contains("columns: email(Email) phone(Phone)", sink.Text.ToString());
        Assert.Equal("user0@example.com", sink.Rows[0].Values[0]);
    }

    [Fact]
    public void Read_ForcedCodePage_ReadsWhatDetectionWouldNot()
    {
        // Cyrillic in Windows-1251 is detected as Windows-1252 (the bytes are invalid UTF-8): --encoding fixes it.
        var text = "email,name\nivan@example.com,Иван Петров\nolga@example.com,Ольга\n";
        var path = Write("ru.csv", Encoding.GetEncoding(1251).GetBytes(text));
        Assert.Equal("windows-1252", Read(path).Files[0].Encoding);
        var sink = Read(path, new ReaderOptions { Encoding = "windows-1251" });
        Assert.Equal("windows-1251", sink.Files[0].Encoding);
        Assert.Equal(["ivan@example.com", "Иван Петров"], sink.Rows[0].Values);
        Assert.Equal(["olga@example.com", "Ольга"], sink.Rows[1].Values);
    }

    [Fact]
    public void Read_ForcedLatin1OnUtf8_ReadsTheBytesAsLatin1()
    {
        var path = Write("u.csv", Encoding.UTF8.GetBytes("email,name\na@example.com,Zoë\n"));
        var sink = Read(path, new ReaderOptions { Encoding = "latin1" });
        Assert.Equal("iso-8859-1", sink.Files[0].Encoding);
        Assert.Equal("ZoÃ«", sink.Rows[0].Values[1]);
    }

    [Fact]
    public void Read_UnknownEncodingName_FailsNamingIt()
    {
        var path = Write("u.csv", Encoding.UTF8.GetBytes(Csv(2)));
        var e = Assert.Throws<DumpFormatException>(() => Read(path, new ReaderOptions { Encoding = "klingon-7" }));
        Assert.Contains("unknown encoding 'klingon-7'", e.Message);
    }

    [Fact]
    public void Read_ForcedUtf8OnUtf16File_FailsInOneLine()
    {
        var path = Write("w.csv", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Csv(2))]);
        var e = Assert.Throws<DumpFormatException>(() => Read(path, new ReaderOptions { Encoding = "utf-8" }));
        Assert.Contains("UTF-16 byte-order mark", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ReadParallel_Windows1252Csv_GivesTheSingleReadersRowsAndEncoding()
    {
        var bytes = Encoding.GetEncoding(1252).GetBytes(Csv(5_000));
        bytes[bytes.Length / 2] = 0x9D; // an undefined byte somewhere in the middle
        var path = Write("par.csv", bytes);
        var single = Read(path);
        var parallel = new ParallelRecorder();
        DumpReader.ReadParallel(path, new ReaderOptions { ParallelChunkBytes = 4096 }, 3, parallel);
        Assert.Equal("windows-1252", parallel.Encoding);
        var rows = parallel.Rows.OrderBy(r => r.Line).ToList();
        Assert.Equal(single.Rows.Select(r => (r.Line, string.Join('\u0001', r.Values))), rows.Select(r => (r.Line, r.Values)));
        Assert.Single(single.Rows, r => r.Values.Any(v => DumpRow.IsDamaged(v)));
    }

    [Theory]
    [InlineData("/*!40101 SET NAMES utf8mb4 */;\n", "utf-8")]
    [InlineData("/*!40101 SET NAMES latin1 */;\n", "windows-1252")]
    [InlineData("SET client_encoding = 'UTF8';\n", "utf-8")]
    [InlineData("SET client_encoding = 'WIN1251';\n", "windows-1251")]
    [InlineData("", "windows-1252")]
    public void Detect_SqlDumpsDeclaredCharset_OutranksCountingBytes(string header, string expected)
    {
        // Raw binary strings: invalid UTF-8 in any encoding, and with nothing else non-ASCII they would decide alone.
        byte[] dump = [.. Encoding.ASCII.GetBytes(header + "INSERT INTO `u` VALUES (1,'a@example.com',_binary '"), 0xFF, 0xFE, 0x9C,
            .. "'),(2,'b@example.com',_binary '"u8.ToArray(), 0xE9, 0x01, .. "');\n"u8.ToArray()];
        Assert.Equal(expected, DumpEncoding.Detect(dump, wholeInput: true).Name);
    }

    [Theory]
    [InlineData("email", FieldRole.Email)]
    [InlineData("work_email", FieldRole.Email)]
    [InlineData("email2", FieldRole.Email)]
    [InlineData("Email Address 2", FieldRole.Email)]
    [InlineData("personal-email", FieldRole.Email)]
    [InlineData("phone", FieldRole.Phone)]
    [InlineData("mobile", FieldRole.Phone)]
    [InlineData("home_phone", FieldRole.Phone)]
    [InlineData("mobile_2", FieldRole.Phone)]
    [InlineData("telefon_privat", FieldRole.Phone)]
    [InlineData("email_verified", FieldRole.Other)]
    [InlineData("work", FieldRole.Employer)]
    [InlineData("name2", FieldRole.Other)]
    public void ColumnRoles_QualifiedEmailAndPhoneNames_MapToTheirRole(string header, FieldRole role) =>
        Assert.Equal(role, ColumnRoles.FromName(header));

    [Fact]
    public void ColumnMap_All_ListsEveryColumnOfARoleInOrder()
    {
        var map = new ColumnMap([.. new[] { "id", "email", "phone", "work_email", "mobile", "email2" }.Select(n => new DumpColumn(n, ColumnRoles.FromName(n)))]);
        Assert.Equal([1, 3, 5], map.All(FieldRole.Email).ToArray());
        Assert.Equal([2, 4], map.All(FieldRole.Phone).ToArray());
        Assert.True(map.All(FieldRole.Gender).IsEmpty);
    }

    private sealed class ParallelRecorder : IParallelDumpSink
    {
        private readonly Lock _lock = new();

        public string? Encoding { get; private set; }

        public List<(long Line, string Values)> Rows { get; } = [];

        public void OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map) => Encoding = file.Encoding;

        public void OnRow(int thread, DumpRow row)
        {
            var values = new string[row.ColumnCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = row[i].ToString();
            }

            lock (_lock)
            {
                Rows.Add((row.LineNumber, string.Join('\u0001', values)));
            }
        }

        public void OnProblem(int fileIndex, RowProblem problem)
        {
        }
    }
}

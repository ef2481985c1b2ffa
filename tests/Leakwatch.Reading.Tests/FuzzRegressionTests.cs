using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>
/// Inputs the fuzzer (fuzz/Leakwatch.Fuzz) found crashing a reader, kept as they were found or cut down to the
/// bytes that mattered. Each crashed ingest with an internal error (exit 70) where a bad row or a one-line bad-input
/// error was due. The same inputs sit in fuzz/regressions/ so the fuzz smoke replays them too.
/// </summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("leakwatch-fuzzreg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Utf8JsonReader checks a string only when it is decoded: an escape naming half a surrogate pair
    /// threw InvalidOperationException out of the JSON Lines reader. Now that row is a bad row and the rest are read.</summary>
    [Fact]
    public void Read_JsonLinesLoneSurrogateEscape_RowIsBadOthersRead()
    {
        var path = Write("lone.jsonl", "{\"email\":\"a@x.com\"}\n{\"email\":\"b\\uD800@x.com\"}\n{\"email\":\"c@x.com\",\"n\":{\"\\uDC00\":1}}\n{\"email\":\"d@x.com\"}\n"u8);
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);

        Assert.Equal([1L, 3L, 4L], sink.Rows.Select(r => r.Line));
        Assert.Equal(["a@x.com", "c@x.com", "d@x.com"], sink.Rows.Select(r => r.Values[0]));
        var problem = Assert.Single(sink.Problems);
        Assert.Equal(2, problem.LineNumber);
        Assert.Contains("lone surrogate", problem.Message, StringComparison.Ordinal);
    }

    /// <summary>The same for JSON Lines whose sample (the file's first lines, read for column names) holds the
    /// lone surrogate in a property name: the sample skipped only JsonException.</summary>
    [Fact]
    public void Read_JsonLinesLoneSurrogateInFirstLineName_SampleSkipsIt()
    {
        var path = Write("name.jsonl", "{\"\\uD800\":\"x\",\"email\":\"a@x.com\"}\n{\"email\":\"b@x.com\"}\n"u8);
        var sink = new RecordingSink();
        DumpReader.Read(path, ReaderOptions.Default, sink);

        Assert.Equal(["b@x.com"], sink.Rows.Select(r => r.Values[0]));
        Assert.Equal([1L], sink.Problems.Select(p => p.LineNumber));
    }

    /// <summary>Found by the fuzzer: invalid UTF-8 (0xF0 followed by ASCII) inside a string of a JSON array's
    /// element. In a later element it is a bad row; in the first, whose paths name the columns, it is the one-line
    /// bad-input error that invalid JSON there already was.</summary>
    [Fact]
    public void Read_JsonArrayInvalidUtf8InString_BadRowOrBadInputError()
    {
        byte[] bad = [.. "{\"email\":\"kim@exam"u8, 0xF0, .. "le.com\"}"u8];
        var later = Write("later.json", [.. "[{\"email\":\"a@x.com\"},\n"u8, .. bad, .. ",\n{\"email\":\"\\uDC00\"},\n{\"email\":\"c@x.com\"}]"u8]);
        // Forced UTF-8: detection would read this file as Windows-1252 (its one non-ASCII byte is invalid UTF-8), and
        // the invalid byte must reach the JSON reader, where it once escaped as an internal error.
        var utf8 = ReaderOptions.Default with { Encoding = "utf-8" };
        var sink = new RecordingSink();
        DumpReader.Read(later, utf8, sink);
        Assert.Equal(["a@x.com", "c@x.com"], sink.Rows.Select(r => r.Values[0]));
        Assert.Equal([2L, 3L], sink.Problems.Select(p => p.LineNumber));

        var first = Write("first.json", [.. "["u8, .. bad, .. "]"u8]);
        var e = Assert.Throws<DumpFormatException>(() => DumpReader.Read(first, utf8, new RecordingSink()));
        Assert.StartsWith(first + ":1: the first element of the JSON array: invalid JSON string", e.Message, StringComparison.Ordinal);
    }

    private string Write(string name, ReadOnlySpan<byte> bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }
}

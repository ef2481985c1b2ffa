using System.Globalization;
using System.IO.Compression;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>
/// <see cref="DumpReader.ReadParallel"/> must deliver exactly what <see cref="DumpReader.Read"/> does: the same rows
/// with the same values, raw text and line numbers, the same problems at the same lines, the same files and the
/// same fatal errors — whatever the chunk size (down to one byte, so every record boundary is tried) and the
/// number of parsing threads.
/// </summary>
public sealed class ParallelReadTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("lw-parallel-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string, string> Files => new()
    {
        { "quoted newlines", "email,name,city\n\"a@x.com\",\"two\nlines\",Paris\nb@x.com,\"three\r\nlines\nhere\",\"Oslo\"\nc@x.com,plain,Rome\n" },
        { "CRLF", "email,phone\r\na@x.com,+441234567890\r\nb@x.com,\"+33 1 23 45 67 89\"\r\nc@x.com,\r\n" },
        { "lone CR line breaks", "email,phone\ra@x.com,1\rb@x.com,2\r\"c@x.com\",\"3\r4\"\r" },
        { "no trailing newline", "email,name\na@x.com,A\nb@x.com,\"B\nB\"" },
        { "no trailing newline after quote", "email,name\na@x.com,\"A\"" },
        { "header only", "email,phone,name\n" },
        { "one data row", "email\na@x.com\n" },
        { "one headerless row, no newline", "a@x.com,+441234567890" },
        { "blank lines", "email,name\n\n  \na@x.com,A\n\n\nb@x.com,B\n\n" },
        { "escaped quotes", "email,quote\na@x.com,\"say \"\"hi\"\"\nthere\"\nb@x.com,\"\"\"\"\n" },
        { "bad rows", "email,name\na@x.com,A\nb@x.com,B\0\nc@x.com,\"open\nd@x.com,D\ne@x.com,E\n" },
        { "semicolons", "email;phone;name\na@x.com;+441234567890;\"x;y\"\nb@x.com;;z\n" },
        // Found by the fuzzer: Sep's own StreamReader dropped a byte order mark starting a parallel chunk, so the
        // parallel reader lost the U+FEFF the single reader keeps as data (and unquoted the field after it).
        { "byte order mark starting a line", "email,note\n\"a@x.com\",\"line\nbreak\"\n\uFEFF\"b@x.com\",x\n" },
        // Found by the fuzzer, the other way round: after a bad first row the single reader's stream starts at the
        // next line, and Sep's StreamReader took that line's U+FEFF for the file's byte order mark.
        { "byte order mark after a bad first row", "a@x.com,\0\n\uFEFFb@x.com,B\nc@x.com,C\n" },
        { "jsonl", "{\"email\":\"a@x.com\",\"phone\":\"+441234567890\"}\n\n{\"email\":\"b@x.com\"}\nnot json\n{\"email\":\"c@x.com\",\"x\":[1,\n{\"email\":\"d@x.com\"}" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void ReadParallel_SmallFiles_SameAsSingleReader(string name, string content)
    {
        var path = Write(name.Replace(' ', '-') + ".txt", Encoding.UTF8.GetBytes(content));
        foreach (var chunk in new[] { 1, 2, 5, 17, 1 << 20 })
        {
            foreach (var threads in new[] { 1, 2, 4 })
            {
                AssertSame(path, new ReaderOptions { ParallelChunkBytes = chunk }, threads);
            }
        }
    }

    [Fact]
    public void ReadParallel_InvalidUtf8AndLongRow_ProblemsAtSameLines()
    {
        var bytes = new List<byte>();
        bytes.AddRange("email,name\na@x.com,A\n"u8.ToArray());
        bytes.AddRange("b@x.com,\xff\xfe\n"u8.ToArray());
        bytes.AddRange([(byte)'c', (byte)'@', (byte)'x', (byte)',', 0xC3, 0x28, (byte)'\n']);
        bytes.AddRange(Encoding.UTF8.GetBytes("d@x.com," + new string('z', 300) + "\n"));
        bytes.AddRange("e@x.com,E\n"u8.ToArray());
        var path = Write("bad.csv", [.. bytes]);
        foreach (var chunk in new[] { 1, 3, 64, 1 << 20 })
        {
            var parallel = AssertSame(path, new ReaderOptions { ParallelChunkBytes = chunk, MaxRowChars = 100 }, threads: 2);
            // Line 4's bad byte costs its field only (the row is read); line 5 is too long.
            Assert.Equal([5L], parallel.Problems.Select(p => p.Problem.LineNumber).Order());
        }
    }

    [Fact]
    public void ReadParallel_HeaderHandledOnce_RowsKeepFileLineNumbers()
    {
        var sb = new StringBuilder("email,phone,name\n");
        for (var i = 0; i < 500; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"u{i}@example.com,+4420794600{i % 100:D2},\"name {i}{(i % 7 == 0 ? "\nsecond line" : "")}\"\n");
        }

        var path = Write("many.csv", Encoding.UTF8.GetBytes(sb.ToString()));
        var rows = AssertSame(path, new ReaderOptions { ParallelChunkBytes = 256 }, threads: 3).Rows;
        Assert.Equal(500, rows.Count);
        Assert.DoesNotContain(rows, r => r.Values[0] == "email");
        Assert.Equal(2, rows[0].Line);
        Assert.Equal(4, rows[1].Line); // row 0 holds a quoted newline: lines 2-3
        Assert.Equal(5, rows[2].Line);
    }

    [Fact]
    public void ReadParallel_FileSmallerThanThreads_AllRowsOnce()
    {
        var path = Write("tiny.csv", "email\na@x.com\n"u8.ToArray());
        var result = AssertSame(path, new ReaderOptions { ParallelChunkBytes = 1 }, threads: 8);
        Assert.Single(result.Rows);
    }

    [Fact]
    public void ReadParallel_Directory_FilesInOrderWithEmptyAndCompressedOnes()
    {
        var dir = Path.Combine(_temp, "dump");
        Directory.CreateDirectory(Path.Combine(dir, "b"));
        File.WriteAllText(Path.Combine(dir, "a.csv"), "email,name\na@x.com,\"A\nA\"\nb@x.com,B\n");
        File.WriteAllText(Path.Combine(dir, "b", "empty.csv"), "");
        File.WriteAllText(Path.Combine(dir, "c.jsonl"), "{\"email\":\"c@x.com\"}\n{\"email\":\"d@x.com\"}\n");
        using (var gz = new GZipStream(File.Create(Path.Combine(dir, "d.csv.gz")), CompressionLevel.Fastest))
        {
            gz.Write("phone;email\n+441234567890;e@x.com\n;\"f@x.com\"\n"u8);
        }

        foreach (var chunk in new[] { 1, 9, 1 << 20 })
        {
            var result = AssertSame(dir, new ReaderOptions { ParallelChunkBytes = chunk }, threads: 2);
            Assert.Equal(6, result.Rows.Count);
            Assert.Single(result.Problems);
        }
    }

    [Fact]
    public void ReadParallel_EmptyFile_SameFatalError()
    {
        var path = Write("empty.csv", "\n \n"u8.ToArray());
        var single = Assert.Throws<DumpFormatException>(() => DumpReader.Read(path, ReaderOptions.Default, new RecordingSink()));
        var parallel = Assert.Throws<DumpFormatException>(() => DumpReader.ReadParallel(path, ReaderOptions.Default, 2, new ParallelRecordingSink(2)));
        Assert.Equal(single.Message, parallel.Message);
    }

    [Fact]
    public void ReadParallel_SinkThrows_ErrorSurfacesAndReadStops()
    {
        var sb = new StringBuilder("email\n");
        for (var i = 0; i < 10_000; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"u{i}@x.com\n");
        }

        var path = Write("throws.csv", Encoding.UTF8.GetBytes(sb.ToString()));
        var sink = new ParallelRecordingSink(2) { ThrowAtRow = 100 };
        var e = Assert.Throws<InvalidOperationException>(() => DumpReader.ReadParallel(path, new ReaderOptions { ParallelChunkBytes = 64 }, 2, sink));
        Assert.Equal("sink failed", e.Message);
    }

    /// <summary>Random CSV-ish bytes: quotes, separators, CR/LF, blanks, NUL and non-ASCII in any order, behind a
    /// header that names an email column, cut into chunks of random size and parsed on 1-3 threads.</summary>
    [Property(MaxTest = 300)]
    public Property ReadParallel_RandomDelimitedContent_SameAsSingleReader()
    {
        var alphabet = new[] { "a", "b@x.com", ",", ",", "\"", "\"", "\n", "\n", "\r\n", "\r", " ", "é", "\0", "+44 20 7946 0000", "\"\"" };
        var gen = from parts in Gen.ArrayOf(Gen.Elements(alphabet))
                  from chunk in Gen.Choose(1, 40)
                  from threads in Gen.Choose(1, 3)
                  from trailingNewline in ArbMap.Default.GeneratorFor<bool>()
                  select (Content: "email,name,phone\n" + string.Concat(parts) + (trailingNewline ? "\n" : ""), chunk, threads);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var path = Write($"prop-{Guid.NewGuid():N}.csv", Encoding.UTF8.GetBytes(c.Content));
            try
            {
                AssertSame(path, new ReaderOptions { ParallelChunkBytes = c.chunk, MaxRowChars = 64 }, c.threads);
            }
            finally
            {
                File.Delete(path);
            }
        });
    }

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Reads both ways and asserts the same outcome; returns the parallel result in file order.</summary>
    internal static ParallelRecordingSink AssertSame(string path, ReaderOptions options, int threads)
    {
        var single = new RecordingSink();
        Exception? singleError = null;
        try
        {
            DumpReader.Read(path, options, single);
        }
        catch (DumpFormatException e)
        {
            singleError = e;
        }

        var parallel = new ParallelRecordingSink(threads);
        Exception? parallelError = null;
        try
        {
            DumpReader.ReadParallel(path, options, threads, parallel);
        }
        catch (DumpFormatException e)
        {
            parallelError = e;
        }

        var what = $"{Path.GetFileName(path)}, chunk {options.ParallelChunkBytes} B, {threads} threads";
        Assert.True(singleError?.Message == parallelError?.Message, $"{what}: errors differ: '{singleError?.Message}' vs '{parallelError?.Message}'");
        if (singleError is not null)
        {
            return parallel;
        }

        Assert.Equal(single.Files, parallel.Files);
        var expectedRows = single.Rows.Select(r => (r.Line, string.Join('\u241F', r.Values), r.Raw)).ToList();
        var actualRows = parallel.Rows.Select(r => (r.Line, string.Join('\u241F', r.Values), r.Raw)).ToList();
        Assert.True(expectedRows.SequenceEqual(actualRows), $"{what}: rows differ\nsingle:   {string.Join(" | ", expectedRows)}\nparallel: {string.Join(" | ", actualRows)}");
        Assert.Equal(single.Problems, parallel.Problems.Select(p => p.Problem));
        return parallel;
    }
}

/// <summary>Collects what a parallel read delivers; <see cref="Rows"/> and <see cref="Problems"/> come back in
/// (file, line) order, as the single reader delivers them.</summary>
internal sealed class ParallelRecordingSink(int threads) : IParallelDumpSink
{
    private readonly List<(int File, long Line, string[] Values, string Raw)>[] _rows =
        Enumerable.Range(0, threads).Select(_ => new List<(int, long, string[], string)>()).ToArray();
    private readonly List<(int File, RowProblem Problem)> _problems = [];
    private int _file;
    private int _rowCount;

    public int ThrowAtRow { get; init; } = -1;

    public List<DumpFileInfo> Files { get; } = [];

    public List<(long Line, string[] Values, string Raw)> Rows =>
        [.. _rows.SelectMany(r => r).OrderBy(r => r.File).ThenBy(r => r.Line).Select(r => (r.Line, r.Values, r.Raw))];

    public List<(int File, RowProblem Problem)> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems.OrderBy(p => p.File).ThenBy(p => p.Problem.LineNumber)];
            }
        }
    }

    public void OnFileStart(int fileIndex, DumpFileInfo file, ColumnMap map)
    {
        lock (Files)
        {
            Assert.True(fileIndex >= _file, "files start in order"); // an empty file in a directory has no start
            _file = fileIndex + 1;
            Files.Add(file);
        }
    }

    public void OnRow(int thread, DumpRow row)
    {
        if (Interlocked.Increment(ref _rowCount) == ThrowAtRow)
        {
            throw new InvalidOperationException("sink failed");
        }

        var values = new string[row.ColumnCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = row[i].ToString();
            // Sep unescapes quoted columns in place: a second read must give the same value.
            Assert.Equal(values[i], row[i].ToString());
        }

        _rows[thread].Add((FileIndexOf(row), row.LineNumber, values, row.Raw.ToString()));
    }

    public void OnProblem(int fileIndex, RowProblem problem)
    {
        lock (_problems)
        {
            _problems.Add((fileIndex, problem));
        }
    }

    private int FileIndexOf(DumpRow row)
    {
        lock (Files)
        {
            return Files.FindIndex(f => f.Path == row.FileName);
        }
    }
}

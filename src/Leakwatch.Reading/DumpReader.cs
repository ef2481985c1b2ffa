using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Leakwatch.Core;
using nietras.SeparatedValues;

namespace Leakwatch.Reading;

/// <summary>Reads a dump — a file or a directory of files — and feeds its rows to a sink.
/// Decisions (beyond the brief):
/// <list type="bullet">
/// <item>Row problems (invalid UTF-8, NUL bytes, over-long rows, unbalanced quotes, invalid JSON) are reported via
///   <see cref="IDumpRowSink.OnProblem"/> and the row is skipped, never delivered half-decoded.</item>
/// <item>Problems are reported in line order, interleaved with rows.</item>
/// <item><see cref="DumpRow.ColumnCount"/> is the column map's count; missing values are empty, extra ignored.</item>
/// <item>A UTF-8 BOM is skipped; UTF-16 input and zip archives are fatal errors (convert/extract first).</item>
/// <item>A gzip file is checked against its trailer (ISIZE): .NET's GZipStream silently stops at a truncated end.
///   Consequence: a concatenated multi-member gzip (not bgzip, which is recognised) is reported as truncated.</item>
/// <item>Line ends: LF, CRLF and lone CR (as Sep counts them); a file using only lone CRs is one long line for the
///   over-long-row guard.</item>
/// </list>
/// </summary>
public static partial class DumpReader
{
    private const int SampleBytes = 64 * 1024;

    /// <summary>File extensions in a dump directory that are never dumps: docs, checksums, signatures, images.</summary>
    private static readonly HashSet<string> NonDumpExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".md", ".sha1", ".sha256", ".sha512", ".md5", ".sig", ".asc", ".gpg", ".nfo", ".pdf",
        ".png", ".jpg", ".jpeg", ".gif", ".html", ".htm", ".exe", ".dll", ".ini", ".log",
    };

    // bgzip's empty end-of-file member: a multi-member gzip whose trailer ISIZE check does not apply.
    private static readonly byte[] BgzfEof =
    [
        0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
        0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    public static void Read(string path, ReaderOptions options, IDumpRowSink sink, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        using var row = new BufferedDumpRow();
        if (File.Exists(path))
        {
            ReadFile(path, options, sink, row, inDirectory: false, ct);
            return;
        }

        if (!Directory.Exists(path))
        {
            throw new DumpFormatException(path, 0, "no such file or directory");
        }

        var files = DumpFiles(path);
        if (files.Count == 0)
        {
            throw new DumpFormatException(path, 0, "no dump files found");
        }

        var anyContent = false;
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            anyContent |= ReadFile(file, options, sink, row, inDirectory: true, ct);
        }

        if (!anyContent)
        {
            throw new DumpFormatException(path, 0, $"no dump files found: all {files.Count} files are empty");
        }
    }

    /// <summary>All regular files under <paramref name="dir"/>, recursively, ordinal-sorted by relative path,
    /// without hidden files/folders (dot-prefixed), README/LICENSE files and <see cref="NonDumpExtensions"/>.</summary>
    private static List<string> DumpFiles(string dir)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
            ReturnSpecialDirectories = false,
        };
        var found = new List<(string Rel, string Path)>();
        foreach (var file in Directory.EnumerateFiles(dir, "*", options))
        {
            var rel = Path.GetRelativePath(dir, file).Replace('\\', '/');
            var hidden = false;
            foreach (var part in rel.Split('/'))
            {
                hidden |= part.StartsWith('.');
            }

            var name = Path.GetFileName(rel);
            if (hidden || NonDumpExtensions.Contains(Path.GetExtension(name))
                || name.StartsWith("readme", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("license", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            found.Add((rel, file));
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Rel, b.Rel));
        var result = new List<string>(found.Count);
        foreach (var f in found)
        {
            result.Add(f.Path);
        }

        return result;
    }

    /// <returns>false when the file is empty (and inside a directory, so only reported).</returns>
    private static bool ReadFile(string file, ReaderOptions options, IDumpRowSink sink, BufferedDumpRow row,
        bool inDirectory, CancellationToken ct)
    {
        using var input = DumpInput.Open(file, options, sink.OnProblem, inDirectory);
        if (input is null)
        {
            return false;
        }

        if (input.Json)
        {
            JsonLinesFileReader.Read(file, input.Compression, input.SampleText, options, input.Scanner, sink, row, ct);
        }
        else
        {
            DelimitedFileReader.Read(file, input.Compression, input.SampleText, options, input.Scanner, sink, ct);
        }

        return true;
    }

    /// <summary>An open dump file: decompression recognised, the byte guard in front, the first lines sampled.</summary>
    private sealed class DumpInput : IDisposable
    {
        private readonly FileStream _file;
        private readonly Stream _stream;

        private DumpInput(FileStream file, Stream stream, RecordScanner scanner, string? compression)
        {
            _file = file;
            _stream = stream;
            Scanner = scanner;
            Compression = compression;
        }

        public RecordScanner Scanner { get; }
        public string? Compression { get; }
        public string SampleText { get; private set; } = "";
        public bool Json { get; private set; }

        /// <returns>null when the file is empty inside a directory (reported to <paramref name="onProblem"/>).</returns>
        public static DumpInput? Open(string file, ReaderOptions options, Action<RowProblem> onProblem, bool inDirectory)
        {
            FileStream fs;
            try
            {
                fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DumpFormatException(file, 0, $"cannot open: {e.Message}");
            }

            DumpInput? result = null;
            Stream input = fs;
            RecordScanner? scanner = null;
            try
            {
                Span<byte> magic = stackalloc byte[4];
                var m = fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
                magic = magic[..m];
                fs.Position = 0;
                string? compression = null;
                Action<long, long>? eofCheck = null;
                if (magic.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
                {
                    compression = "gzip";
                    eofCheck = GzipTrailerCheck(fs, file);
                    input = new GZipStream(fs, CompressionMode.Decompress, leaveOpen: true);
                }
                else if (magic.SequenceEqual((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
                {
                    compression = "zstd";
                    input = new ZstdSharp.DecompressionStream(fs, leaveOpen: true);
                }
                else if (magic.SequenceEqual("PK\x03\x04"u8))
                {
                    throw new DumpFormatException(file, 0, "zip archives are not supported; extract the archive first");
                }

                scanner = new RecordScanner(input, file, compression, delimited: true, options.MaxRowChars, eofCheck);
                var sample = scanner.PeekSample(SampleBytes);
                var first = sample.IndexOfAnyExcept(" \t\r\n"u8);
                if (first < 0 && scanner.EndOfInputReached)
                {
                    if (!inDirectory)
                    {
                        throw new DumpFormatException(file, 0, "file is empty");
                    }

                    onProblem(new RowProblem(file, 0, "file is empty"));
                    return null;
                }

                var text = Encoding.UTF8.GetString(sample);
                if (!scanner.EndOfInputReached)
                {
                    var cut = text.LastIndexOf('\n');
                    text = cut >= 0 ? text[..(cut + 1)] : text;
                }

                var json = options.Format == DumpFormat.JsonLines
                    || (options.Format == DumpFormat.Auto && first >= 0 && sample[first] == (byte)'{');
                if (json)
                {
                    scanner.Delimited = false;
                }

                result = new DumpInput(fs, input, scanner, compression) { SampleText = text, Json = json };
                return result;
            }
            finally
            {
                if (result is null)
                {
                    scanner?.Dispose();
                    if (!ReferenceEquals(input, fs))
                    {
                        input.Dispose();
                    }

                    fs.Dispose();
                }
            }
        }

        public void Dispose()
        {
            Scanner.Dispose();
            if (!ReferenceEquals(_stream, _file))
            {
                _stream.Dispose();
            }

            _file.Dispose();
        }
    }

    private static Action<long, long>? GzipTrailerCheck(FileStream fs, string file)
    {
        if (fs.Length < 18)
        {
            return null;
        }

        Span<byte> tail = stackalloc byte[BgzfEof.Length];
        var tailLength = (int)Math.Min(fs.Length, tail.Length);
        RandomAccess.Read(fs.SafeFileHandle, tail[..tailLength], fs.Length - tailLength);
        if (tail[..tailLength].SequenceEqual(BgzfEof))
        {
            return null;
        }

        var isize = BitConverter.ToUInt32(tail[(tailLength - 4)..tailLength]);
        if (!BitConverter.IsLittleEndian)
        {
            isize = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(isize);
        }

        return (total, lines) =>
        {
            if ((uint)total != isize)
            {
                throw new DumpFormatException(file, lines, $"gzip stream is truncated or corrupt after line {lines}");
            }
        };
    }

    /// <summary>Emits the scanner's queued problems for lines before <paramref name="line"/>.</summary>
    internal static void DrainProblems(RecordScanner scanner, IDumpRowSink sink, long line)
    {
        var q = scanner.Problems;
        while (q.Count > 0 && q.Peek().LineNumber < line)
        {
            sink.OnProblem(q.Dequeue());
        }
    }

    internal static ColumnMap FinishMap(string file, long line, List<DumpColumn> columns, bool sniffable,
        List<string[]> sampleRows, string what)
    {
        var map = new ColumnMap(columns);
        if (!map.Has(FieldRole.Email) && !map.Has(FieldRole.Phone) && sniffable)
        {
            // Names did not say; let content promote unnamed/unknown columns to Email or Phone.
            for (var i = 0; i < columns.Count; i++)
            {
                if (columns[i].Role == FieldRole.Other
                    && Sniffer.ContentRole(sampleRows, i) is var r and (FieldRole.Email or FieldRole.Phone))
                {
                    columns[i] = columns[i] with { Role = r };
                }
            }

            map = new ColumnMap(columns);
        }

        if (!map.Has(FieldRole.Email) && !map.Has(FieldRole.Phone))
        {
            var n = columns.Count;
            throw new DumpFormatException(file, line,
                $"found {n} {what}{(n == 1 ? "" : "s")}; no email or phone column recognised — try --delimiter or --columns");
        }

        return map;
    }
}

/// <summary>What sniffing decided about a delimited file: its Sep options, header line and column map.</summary>
internal sealed record DelimitedLayout(DumpFileInfo Info, SepReaderOptions SepOptions, long HeaderLine, ColumnMap Map);

internal static class DelimitedFileReader
{
    public static void Read(string file, string? compression, string sampleText, ReaderOptions options,
        RecordScanner scanner, IDumpRowSink sink, CancellationToken ct)
    {
        var layout = Prepare(file, compression, sampleText, options);
        sink.OnFileStart(layout.Info, layout.Map);
        using var row = new SepDumpRow();
        row.StartFile(file, layout.Map);
        using var reader = layout.SepOptions.From(new ScannerStream(scanner));
        ParseRows(reader, layout, firstLine: 1, row, sink, scanner, ct);
        DumpReader.DrainProblems(scanner, sink, long.MaxValue);
    }

    /// <summary>Parses one run of whole records (a chunk cut by the scanner at a record boundary) whose
    /// first line is <paramref name="firstLine"/> of the file.</summary>
    public static void ParseChunk(DelimitedLayout layout, byte[] chunk, int length, long firstLine, SepDumpRow row,
        IDumpRowSink sink, CancellationToken ct)
    {
        using var reader = layout.SepOptions.From(new MemoryStream(chunk, 0, length, writable: false));
        ParseRows(reader, layout, firstLine, row, sink, scanner: null, ct);
    }

    /// <summary>The rows of <paramref name="reader"/>; Sep's line numbers are 1-based within what it reads,
    /// which starts at line <paramref name="firstLine"/> of the file.</summary>
    private static void ParseRows(SepReader reader, DelimitedLayout layout, long firstLine, SepDumpRow row,
        IDumpRowSink sink, RecordScanner? scanner, CancellationToken ct)
    {
        var headerLine = layout.HeaderLine;
        var lineBase = firstLine - 1;
        long prevToExcl = 1;
        long wrap = 0;
        long n = 0;
        foreach (var r in reader)
        {
            var from = prevToExcl;
            var to = (uint)r.LineNumberToExcl + wrap;
            if (to < from)
            {
                // Sep counts lines in an int: unwrap past 2^31/2^32 for huge files.
                wrap += 1L << 32;
                to += 1L << 32;
            }

            prevToExcl = to;
            var span = r.Span;
            var line = lineBase + from;
            if (span.IsWhiteSpace() || line == headerLine)
            {
                continue;
            }

            if (scanner is not null)
            {
                DumpReader.DrainProblems(scanner, sink, line);
            }

            row.Begin(reader, line, span, r.ColCount);
            sink.OnRow(row);
            if ((++n & 0xFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Sniffs delimiter, header and column roles from the file's first lines (or takes them from the options).</summary>
    public static DelimitedLayout Prepare(string file, string? compression, string sampleText, ReaderOptions options)
    {
        var lines = new List<string>();
        foreach (var l in sampleText.Split('\n'))
        {
            if (!string.IsNullOrWhiteSpace(l))
            {
                lines.Add(l.TrimEnd('\r'));
                if (lines.Count == Sniffer.DelimiterSampleLines)
                {
                    break;
                }
            }
        }

        var delimiter = options.Delimiter ?? Sniffer.SniffDelimiter(lines) ?? ',';
        var sepOptions = Sep.Reader(o => o with
        {
            Sep = new Sep(delimiter),
            HasHeader = false,
            Unescape = true,
            DisableColCountCheck = true,
            Trim = SepTrim.All,
        });

        var rows = new List<string[]>();
        var rowLines = new List<long>();
        using (var sampleReader = sepOptions.FromText(sampleText))
        {
            long prev = 1;
            foreach (var r in sampleReader)
            {
                var from = prev;
                prev = r.LineNumberToExcl;
                if (r.Span.IsWhiteSpace())
                {
                    continue;
                }

                var values = new string[r.ColCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = r[i].Span.Trim().ToString();
                }

                rows.Add(values);
                rowLines.Add(from);
                if (rows.Count > Sniffer.RoleSampleRows)
                {
                    break;
                }
            }
        }

        bool hasHeader;
        if (options.Columns is not null)
        {
            hasHeader = options.HasHeader == true;
        }
        else
        {
            hasHeader = options.HasHeader ?? (rows.Count > 0 && Sniffer.LooksLikeHeader(rows[0], rows[1..]));
        }

        hasHeader &= rows.Count > 0;
        var headerLine = hasHeader ? rowLines[0] : 0;
        var dataRows = hasHeader ? rows[1..] : rows;
        var columns = new List<DumpColumn>();
        if (options.Columns is not null)
        {
            foreach (var name in options.Columns)
            {
                columns.Add(new DumpColumn(name, ColumnRoles.FromName(name)));
            }
        }
        else if (hasHeader)
        {
            for (var i = 0; i < rows[0].Length; i++)
            {
                var name = rows[0][i].Length > 0 ? rows[0][i] : $"col{i + 1}";
                columns.Add(new DumpColumn(name, ColumnRoles.FromName(name)));
            }
        }
        else
        {
            var width = 1;
            foreach (var r in dataRows)
            {
                width = Math.Max(width, r.Length);
            }

            for (var i = 0; i < width; i++)
            {
                columns.Add(new DumpColumn($"col{i + 1}", Sniffer.ContentRole(dataRows, i)));
            }
        }

        var map = DumpReader.FinishMap(file, rowLines.Count > 0 ? rowLines[0] : 0, columns,
            sniffable: options.Columns is null, dataRows, "column");
        return new DelimitedLayout(new DumpFileInfo(file, "delimited", delimiter, hasHeader, compression), sepOptions, headerLine, map);
    }
}

/// <summary>What sniffing decided about a JSON Lines file: its columns and their UTF-8 keys.</summary>
internal sealed record JsonLinesLayout(DumpFileInfo Info, ColumnMap Map, byte[][] Keys);

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
            catch (JsonException)
            {
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

        sink.OnRow(row);
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

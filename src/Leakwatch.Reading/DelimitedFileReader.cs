using System.Text;
using nietras.SeparatedValues;

namespace Leakwatch.Reading;

internal static class DelimitedFileReader
{
    private const int ReaderBufferBytes = 1 << 16;
    private static readonly UTF8Encoding Utf8WithoutBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void Read(string file, string? compression, string sampleText, ReaderOptions options,
        RecordScanner scanner, IDumpRowSink sink, CancellationToken ct)
    {
        var layout = Prepare(file, compression, sampleText, options);
        sink.OnFileStart(layout.Info, layout.Map);
        using var row = new SepDumpRow();
        row.StartFile(file, layout.Map);
        // The file's own byte order mark is gone (the scanner skips it); one at the start of what the scanner
        // passes on is data, e.g. the first good line after a bad first row.
        using var text = new StreamReader(new ScannerStream(scanner), Utf8WithoutBom, detectEncodingFromByteOrderMarks: false, ReaderBufferBytes);
        using var reader = layout.SepOptions.From(text);
        ParseRows(reader, layout, firstLine: 1, row, sink, scanner, ct);
        DumpReader.DrainProblems(scanner, sink, long.MaxValue);
    }

    /// <summary>Parses one run of whole records (a chunk cut by the scanner at a record boundary) whose
    /// first line is <paramref name="firstLine"/> of the file.</summary>
    public static void ParseChunk(DelimitedLayout layout, byte[] chunk, int length, long firstLine, SepDumpRow row,
        IDumpRowSink sink, CancellationToken ct)
    {
        // Not Sep's From(Stream): its StreamReader drops a byte order mark at the start of what it reads, and a
        // chunk starting with U+FEFF is mid-file data the serial reader keeps (the file's own BOM is gone already).
        using var text = new StreamReader(new MemoryStream(chunk, 0, length, writable: false), Utf8WithoutBom,
            detectEncodingFromByteOrderMarks: false, ReaderBufferBytes);
        using var reader = layout.SepOptions.From(text);
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
        var lines = NonBlankSampleLines(sampleText);
        var delimiter = options.Delimiter ?? Sniffer.SniffDelimiter(lines) ?? ',';
        var sepOptions = Sep.Reader(o => o with
        {
            Sep = new Sep(delimiter),
            HasHeader = false,
            Unescape = true,
            DisableColCountCheck = true,
            Trim = SepTrim.All,
        });

        var (rows, rowLines) = ReadSampleRows(sepOptions, sampleText);
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
        var columns = ResolveColumns(options, hasHeader, rows, dataRows);
        var map = DumpReader.FinishMap(file, rowLines.Count > 0 ? rowLines[0] : 0, columns,
            sniffable: options.Columns is null, dataRows, "column");
        return new DelimitedLayout(new DumpFileInfo(file, "delimited", delimiter, hasHeader, compression), sepOptions, headerLine, map);
    }

    /// <summary>The sample's first non-blank lines, as many as the delimiter sniffer looks at.</summary>
    private static List<string> NonBlankSampleLines(string sampleText)
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

        return lines;
    }

    /// <summary>The sample's non-blank rows as trimmed cells, with the line each starts on.</summary>
    private static (List<string[]> Rows, List<long> RowLines) ReadSampleRows(SepReaderOptions sepOptions, string sampleText)
    {
        var rows = new List<string[]>();
        var rowLines = new List<long>();
        using var sampleReader = sepOptions.FromText(sampleText);
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

        return (rows, rowLines);
    }

    /// <summary>Columns named by the options, else by the header, else numbered with roles sniffed from the content.</summary>
    private static List<DumpColumn> ResolveColumns(ReaderOptions options, bool hasHeader, List<string[]> rows, List<string[]> dataRows)
    {
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

        return columns;
    }
}

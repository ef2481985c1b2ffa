using Leakwatch.Core;

namespace Leakwatch.Reading.Ulp;

/// <summary>Reads stealer-log lines (<see cref="UlpLineParser"/>) behind the reader's byte guard, as three-column rows
/// (login as the Email column, website, password). A line that does not parse is a <see cref="RowProblem"/> naming
/// its line number and reason, never its text (it holds a password); blank lines are skipped silently.</summary>
internal static class UlpFileReader
{
    public static readonly ColumnMap Map = new([
        new DumpColumn("login", FieldRole.Email),
        new DumpColumn("website", FieldRole.Other),
        new DumpColumn("password", FieldRole.Password),
    ]);

    public static DumpFileInfo Info(string file, string? compression) => new(file, "ulp", null, false, compression);

    /// <summary>The single reader: every clean run of the file, problems in line order.</summary>
    public static void Read(string file, string? compression, RecordScanner scanner, IDumpRowSink sink, CancellationToken ct)
    {
        sink.OnFileStart(Info(file, compression), Map);
        var row = new UlpDumpRow(file);
        while (true)
        {
            var run = scanner.NextClean();
            if (run.IsEmpty)
            {
                break;
            }

            ParseChunk(file, run.Span, scanner.RunStartLine, row, sink, ct, scanner);
        }

        DumpReader.DrainProblems(scanner, sink, long.MaxValue);
    }

    /// <summary>Parses whole lines starting at line <paramref name="firstLine"/>. Lines end at LF (a CR before it is
    /// dropped), as the byte guard counts them outside delimited mode, so the numbers are the file's whichever way the
    /// file is cut into chunks; a lone CR is not a line end but damage inside a line (skipped as <c>binary</c>).</summary>
    /// <param name="scanner">The single reader's guard, whose queued problems are emitted in line order; null on a
    /// parsing thread (the scanning thread reports them).</param>
    public static void ParseChunk(string file, ReadOnlySpan<byte> chunk, long firstLine, UlpDumpRow row, IDumpRowSink sink,
        CancellationToken ct, RecordScanner? scanner = null)
    {
        var line = firstLine;
        var rest = chunk;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var text = end < 0 ? rest : rest[..end];
            var next = end < 0 ? rest.Length : end + 1;
            if (!text.IsEmpty && text[^1] == (byte)'\r')
            {
                text = text[..^1];
            }

            if (scanner is not null)
            {
                DumpReader.DrainProblems(scanner, sink, line + 1);
            }

            if ((line & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            if (!text.Trim(" \t"u8).IsEmpty)
            {
                var problem = UlpLineParser.TryParse(text, out var parsed);
                if (problem == UlpProblem.None)
                {
                    row.Set(text, parsed, line);
                    sink.OnRow(row);
                }
                else
                {
                    var reason = UlpLineParser.ReasonName(problem);
                    sink.OnProblem(new RowProblem(file, line, $"stealer-log line skipped: {reason}") { Reason = reason });
                }
            }

            rest = rest[next..];
            line++;
        }
    }
}

using Leakwatch.Core;

namespace Leakwatch.Reading;

/// <summary>Reads a dump — a file or a directory of files — and feeds its rows to a sink.
/// Decisions (beyond the brief):
/// <list type="bullet">
/// <item>Row problems (invalid UTF-8, NUL bytes, over-long rows, unbalanced quotes, invalid JSON) are reported via
///   <see cref="IDumpRowSink.OnProblem"/> and the row is skipped, never delivered half-decoded.</item>
/// <item>Problems are reported in line order, interleaved with rows.</item>
/// <item><see cref="DumpRow.ColumnCount"/> is the column map's count; missing values are empty, extra ignored.</item>
/// <item>Each file's encoding is detected (<see cref="DumpEncoding.Detect"/>) or forced (<see cref="ReaderOptions.Encoding"/>)
///   and the file transcoded to UTF-8 when it is not UTF-8 already; a byte-order mark is skipped. zip/7z/rar archives
///   are fatal errors (extract first).</item>
/// <item>The path <see cref="StandardInput"/> ("-") reads standard input, once, front to back: compression and
///   format are sniffed from its first bytes as for a file; it is named "stdin" in messages.</item>
/// <item>gzip (one member or several concatenated) and zstd are recognised by magic bytes
///   (<see cref="Leakwatch.Storage.Input.CompressedInput"/>); a truncated or corrupt stream is a fatal error naming the last line read.</item>
/// <item>Line ends: LF, CRLF and lone CR (as Sep counts them); a file using only lone CRs is one long line for the
///   over-long-row guard.</item>
/// </list>
/// </summary>
public static partial class DumpReader
{
    /// <summary>File extensions in a dump directory that are never dumps: docs, checksums, signatures, images.</summary>
    private static readonly HashSet<string> NonDumpExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".md", ".sha1", ".sha256", ".sha512", ".md5", ".sig", ".asc", ".gpg", ".nfo", ".pdf",
        ".png", ".jpg", ".jpeg", ".gif", ".html", ".htm", ".exe", ".dll", ".ini", ".log",
    };

    /// <summary>The path that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>How messages name <paramref name="path"/>.</summary>
    public static string DisplayName(string path) => path == StandardInput ? "stdin" : path;

    public static void Read(string path, ReaderOptions options, IDumpRowSink sink, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        using var row = new BufferedDumpRow();
        if (path == StandardInput || File.Exists(path))
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
            AttributesToSkip = FileAttributes.None,
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

        file = DisplayName(file);
        sink = new EncodingNamingSink(sink, input.Encoding.Name);

        if (input.Sql)
        {
            using var raw = input.OpenRaw();
            SqlDumpReader.Read(file, input.Compression, raw, options, sink, row, ct);
        }
        else if (input.JsonArray)
        {
            using var raw = input.OpenRaw();
            JsonArrayFileReader.Read(file, input.Compression, raw, options, sink, row, ct);
        }
        else if (input.Ulp)
        {
            Ulp.UlpFileReader.Read(file, input.Compression, input.Scanner, sink, ct);
        }
        else if (input.Json)
        {
            JsonLinesFileReader.Read(file, input.Compression, input.SampleText, options, input.Scanner, sink, row, ct);
        }
        else
        {
            DelimitedFileReader.Read(file, input.Compression, input.SampleText, options, input.Scanner, sink, ct);
        }

        return true;
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

using System.Text;

namespace Leakwatch.Reading;

/// <summary>
/// Reads mysqldump <c>INSERT … VALUES (…),(…);</c> statements and pg_dump <c>COPY … FROM stdin;</c> blocks,
/// statement by statement, so memory is bounded by the longest statement, not the dump.
/// Decisions:
/// <list type="bullet">
/// <item>Column names come from the statement's column list, else from the table's <c>CREATE TABLE</c>; they map
///   to roles as header names do. Without either, a table's rows cannot be placed and are skipped.</item>
/// <item>One table per file is read: the one named by <see cref="ReaderOptions.Table"/>, else the first whose
///   columns include an email or phone role. Rows of other tables are skipped silently (not bad rows).</item>
/// <item>A tuple or COPY line that does not parse, or whose value count differs from its column count (the
///   database would reject it), is a bad row reported at the line where it starts; the statement's other tuples
///   are kept.</item>
/// </list>
/// </summary>
internal sealed class SqlDumpReader : IDisposable
{
    /// <summary>MySQL's own max_allowed_packet ceiling is 1 GiB; mysqldump's default statements are ~1 MiB.</summary>
    private const long MaxStatementBytes = 256L << 20;

    private readonly string _file;
    private readonly string? _compression;
    private readonly ReaderOptions _options;
    private readonly IDumpRowSink _sink;
    private readonly SqlFieldWriter _writer;
    private readonly SqlStatementSource _source;
    private readonly Dictionary<string, List<string>> _created = new(StringComparer.OrdinalIgnoreCase);
    private string? _table;
    private List<string>? _columns;
    private int[] _perm = [];
    private long _statements;

    private SqlDumpReader(string file, string? compression, Stream raw, ReaderOptions options, IDumpRowSink sink,
        BufferedDumpRow row)
    {
        _file = file;
        _compression = compression;
        _options = options;
        _sink = sink;
        _writer = new SqlFieldWriter(row);
        _source = new SqlStatementSource(new ByteWindow(raw, file, compression), MaxStatementBytes);
    }

    public static void Read(string file, string? compression, Stream raw, ReaderOptions options, IDumpRowSink sink,
        BufferedDumpRow row, CancellationToken ct)
    {
        using var reader = new SqlDumpReader(file, compression, raw, options, sink, row);
        reader.ReadAll(ct);
    }

    private void ReadAll(CancellationToken ct)
    {
        while (_source.NextStatement(out var statement, out var tooLong))
        {
            if (tooLong)
            {
                Problem(_source.Line, $"SQL statement longer than {MaxStatementBytes >> 20} MiB; skipped to the end of its line");
                continue;
            }

            Statement(statement, _source.Line, ct);
            if ((++_statements & 0xFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        if (_table is null)
        {
            var seen = string.Join(", ", _created.Keys.Take(10));
            throw new DumpFormatException(_file, 0, _options.Table is { } wanted
                ? $"no data rows found: table '{wanted}' has no INSERT or COPY with known columns (tables: {seen})"
                : $"no data rows found: no SQL table with an email or phone column (tables: {seen})");
        }
    }

    private void Statement(ReadOnlySpan<byte> s, long line, CancellationToken ct)
    {
        var pos = 0;
        SqlText.SkipBlank(s, ref pos);
        if (SqlText.Keyword(s, ref pos, "INSERT"u8) || SqlText.Keyword(s, ref pos, "REPLACE"u8))
        {
            Insert(s, pos, line, ct);
        }
        else if (SqlText.Keyword(s, ref pos, "COPY"u8))
        {
            Copy(s, pos, line + System.MemoryExtensions.Count(s[..pos], (byte)'\n'), ct);
        }
        else if (SqlText.Keyword(s, ref pos, "CREATE"u8))
        {
            if (SqlCreateTable.Parse(s, pos, _source.BackslashEscapes) is var (table, columns))
            {
                _created[table] = columns;
            }
        }
        else if (SqlText.Keyword(s, ref pos, "SET"u8) && SqlText.Name(s, ref pos) is { } setting
            && setting.Equals("standard_conforming_strings", StringComparison.OrdinalIgnoreCase))
        {
            var value = Encoding.ASCII.GetString(s[pos..]);
            _source.BackslashEscapes = !value.Contains("on", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <param name="line">The line of the statement's first byte.</param>
    private void Insert(ReadOnlySpan<byte> s, int pos, long line, CancellationToken ct)
    {
        _ = SqlText.Keyword(s, ref pos, "LOW_PRIORITY"u8) || SqlText.Keyword(s, ref pos, "DELAYED"u8)
            || SqlText.Keyword(s, ref pos, "HIGH_PRIORITY"u8);
        _ = SqlText.Keyword(s, ref pos, "IGNORE"u8);
        _ = SqlText.Keyword(s, ref pos, "INTO"u8);
        var table = SqlText.Name(s, ref pos);
        var columns = SqlText.NameList(s, ref pos);
        if (table is null || !(SqlText.Keyword(s, ref pos, "VALUES"u8) || SqlText.Keyword(s, ref pos, "VALUE"u8))
            || !Selected(table, columns, line + System.MemoryExtensions.Count(s[..pos], (byte)'\n')))
        {
            return;
        }

        new SqlTupleParser(_writer, _sink, _file, _perm, _source.BackslashEscapes).Tuples(s, pos, line, ct);
    }

    private void Copy(ReadOnlySpan<byte> s, int pos, long line, CancellationToken ct)
    {
        var table = SqlText.Name(s, ref pos);
        var columns = SqlText.NameList(s, ref pos);
        if (table is null || !SqlText.Keyword(s, ref pos, "FROM"u8) || !SqlText.Keyword(s, ref pos, "STDIN"u8))
        {
            return;
        }

        var selected = Selected(table, columns, line);
        // The data starts on the line after the statement's ';'.
        _source.NextLine(out _);
        var copy = new PgCopyRows(_writer, _sink, _file, _perm);
        long rows = 0;
        while (_source.NextLine(out var data))
        {
            if (data.SequenceEqual("\\."u8))
            {
                return;
            }

            if (selected)
            {
                copy.Row(data, _source.Line);
            }

            if ((++rows & 0xFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Whether rows of <paramref name="table"/> are read; chooses the file's table on first sight.</summary>
    private bool Selected(string table, List<string>? columns, long line)
    {
        columns ??= _created.GetValueOrDefault(table);
        if (_table is null && columns is not null && Wanted(table, columns))
        {
            // The table's own column order, when known, is the file's; statements may list them in any order.
            Choose(table, _created.GetValueOrDefault(table) ?? columns, line);
        }

        if (_table is null || columns is null || !table.Equals(_table, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_perm.Length != columns.Count)
        {
            _perm = new int[columns.Count];
        }

        for (var i = 0; i < columns.Count; i++)
        {
            _perm[i] = _columns!.FindIndex(c => c.Equals(columns[i], StringComparison.OrdinalIgnoreCase));
        }

        return true;
    }

    private bool Wanted(string table, List<string> columns)
    {
        if (_options.Table is { } wanted)
        {
            return table.Equals(wanted, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var c in columns)
        {
            if (ColumnRoles.FromName(c) is Core.FieldRole.Email or Core.FieldRole.Phone)
            {
                return true;
            }
        }

        return false;
    }

    private void Choose(string table, List<string> columns, long line)
    {
        var dumpColumns = new List<DumpColumn>(columns.Count);
        foreach (var c in columns)
        {
            dumpColumns.Add(new DumpColumn(c, ColumnRoles.FromName(c)));
        }

        var map = DumpReader.FinishMap(_file, line, dumpColumns, sniffable: false, [], "column");
        _table = table;
        _columns = columns;
        _sink.OnFileStart(new DumpFileInfo(_file, "sql", null, true, _compression), map);
        _writer.Row.StartFile(_file, map);
    }

    private void Problem(long line, string message) => _sink.OnProblem(new RowProblem(_file, line, message));

    public void Dispose()
    {
        _writer.Dispose();
        _source.Dispose();
    }
}

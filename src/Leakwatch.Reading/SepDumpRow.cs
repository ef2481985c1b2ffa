using System.Buffers;
using nietras.SeparatedValues;

namespace Leakwatch.Reading;

/// <summary>
/// A delimited row read straight from Sep's buffer: only the columns a sink asks for are unescaped, trimmed and
/// copied (an ingest reads four of eleven). The raw text is copied first, and each value on its first read,
/// because Sep unescapes quoted columns in place: that changes its row span, and reading a column twice
/// from Sep can give a different value.
/// </summary>
internal sealed class SepDumpRow : DumpRow, IDisposable
{
    private char[] _raw = ArrayPool<char>.Shared.Rent(1024);
    private int _rawLength;
    private char[] _values = ArrayPool<char>.Shared.Rent(1024);
    private int _valuesLength;
    private int[] _starts = [];
    private int[] _lengths = [];
    private long[] _readIn = [];
    private long _row;
    private SepReader? _reader;
    private int _columns;

    public override ReadOnlySpan<char> Raw => _raw.AsSpan(0, _rawLength);

    public override int ColumnCount => Map.Columns.Count;

    public override ReadOnlySpan<char> this[int column]
    {
        get
        {
            if ((uint)column >= (uint)_columns)
            {
                return default;
            }

            if (_readIn[column] != _row)
            {
                var value = _reader!.Current[column].Span.Trim();
                if (_valuesLength + value.Length > _values.Length)
                {
                    var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_values.Length * 2, _valuesLength + value.Length));
                    _values.AsSpan(0, _valuesLength).CopyTo(bigger);
                    ArrayPool<char>.Shared.Return(_values);
                    _values = bigger;
                }

                value.CopyTo(_values.AsSpan(_valuesLength));
                _starts[column] = _valuesLength;
                _lengths[column] = value.Length;
                _valuesLength += value.Length;
                _readIn[column] = _row;
            }

            return _values.AsSpan(_starts[column], _lengths[column]);
        }
    }

    public void StartFile(string fileName, ColumnMap map)
    {
        FileName = fileName;
        Map = map;
        if (_starts.Length < map.Columns.Count)
        {
            _starts = new int[map.Columns.Count];
            _lengths = new int[map.Columns.Count];
            _readIn = new long[map.Columns.Count];
        }

        // Values cached for an earlier file's row must not be taken for this file's first row.
        _row++;
    }

    /// <summary>The reader's current row, starting on <paramref name="lineNumber"/>.</summary>
    public void Begin(SepReader reader, long lineNumber, ReadOnlySpan<char> raw, int columns)
    {
        _reader = reader;
        _row++;
        _valuesLength = 0;
        LineNumber = lineNumber;
        _columns = Math.Min(columns, Map.Columns.Count);
        if (raw.Length > _raw.Length)
        {
            ArrayPool<char>.Shared.Return(_raw);
            _raw = ArrayPool<char>.Shared.Rent(raw.Length);
        }

        raw.CopyTo(_raw);
        _rawLength = raw.Length;
    }

    public void Dispose()
    {
        if (_raw.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_raw);
            ArrayPool<char>.Shared.Return(_values);
            _raw = [];
            _values = [];
        }
    }
}

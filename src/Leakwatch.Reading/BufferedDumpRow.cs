using System.Buffers;

namespace Leakwatch.Reading;

/// <summary>The reader's reusable row: raw text and column values copied into pooled char buffers.</summary>
internal sealed class BufferedDumpRow : DumpRow, IDisposable
{
    private char[] _raw = ArrayPool<char>.Shared.Rent(1024);
    private char[] _values = ArrayPool<char>.Shared.Rent(1024);
    private int[] _starts = [];
    private int[] _lengths = [];
    private int _rawLength;
    private int _valuesLength;
    private int _columns;

    public override ReadOnlySpan<char> Raw => _raw.AsSpan(0, _rawLength);

    public override int ColumnCount => _columns;

    public override ReadOnlySpan<char> this[int column] =>
        (uint)column < (uint)_columns ? _values.AsSpan(_starts[column], _lengths[column]) : default;

    public void StartFile(string fileName, ColumnMap map)
    {
        FileName = fileName;
        Map = map;
        _columns = map.Columns.Count;
        if (_starts.Length < _columns)
        {
            _starts = new int[_columns];
            _lengths = new int[_columns];
        }
    }

    /// <summary>Starts a row: clears all values.</summary>
    public void Begin(long lineNumber)
    {
        LineNumber = lineNumber;
        _valuesLength = 0;
        _rawLength = 0;
        Array.Clear(_lengths, 0, _columns);
    }

    public void SetRaw(ReadOnlySpan<char> raw)
    {
        if (raw.Length > _raw.Length)
        {
            Grow(ref _raw, raw.Length, 0);
        }

        raw.CopyTo(_raw);
        _rawLength = raw.Length;
    }

    /// <summary>A writable buffer of at least <paramref name="length"/> chars for the raw text.</summary>
    public Span<char> RawBuffer(int length)
    {
        if (length > _raw.Length)
        {
            Grow(ref _raw, length, 0);
        }

        return _raw;
    }

    public void SetRawLength(int length) => _rawLength = length;

    public void SetValue(int column, ReadOnlySpan<char> value)
    {
        if ((uint)column >= (uint)_columns)
        {
            return;
        }

        var span = ValueBuffer(value.Length);
        value.CopyTo(span);
        CommitValue(column, value.Length);
    }

    /// <summary>Space for the next value; follow with <see cref="CommitValue"/>.</summary>
    public Span<char> ValueBuffer(int length)
    {
        if (_valuesLength + length > _values.Length)
        {
            Grow(ref _values, _valuesLength + length, _valuesLength);
        }

        return _values.AsSpan(_valuesLength, length);
    }

    public void CommitValue(int column, int length)
    {
        if ((uint)column >= (uint)_columns)
        {
            return;
        }

        _starts[column] = _valuesLength;
        _lengths[column] = length;
        _valuesLength += length;
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_raw);
        ArrayPool<char>.Shared.Return(_values);
        _raw = [];
        _values = [];
    }

    private static void Grow(ref char[] buffer, int needed, int keep)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, keep).CopyTo(bigger);
        if (buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        buffer = bigger;
    }
}

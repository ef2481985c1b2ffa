using System.Text;

namespace Leakwatch.Reading.Ulp;

/// <summary>A stealer-log line as a dump row: login (the Email column), website domain, password, decoded from the
/// line's UTF-8 into one reused char buffer. <see cref="DumpRow.Raw"/> is the three together, which is what makes
/// two lines the same credential.</summary>
internal sealed class UlpDumpRow : DumpRow
{
    private readonly char[] _chars = new char[UlpLineParser.MaxLineBytes + UlpLineParser.MaxDomainBytes];
    private readonly byte[] _domain = new byte[UlpLineParser.MaxLineBytes];
    private readonly int[] _starts = new int[3];
    private readonly int[] _lengths = new int[3];
    private int _length;

    public UlpDumpRow(string fileName)
    {
        FileName = fileName;
        Map = UlpFileReader.Map;
    }

    public override ReadOnlySpan<char> Raw => _chars.AsSpan(0, _length);

    public override int ColumnCount => 3;

    public override ReadOnlySpan<char> this[int column] =>
        (uint)column < 3 ? _chars.AsSpan(_starts[column], _lengths[column]) : default;

    public void Set(ReadOnlySpan<byte> line, in UlpLine parsed, long lineNumber)
    {
        LineNumber = lineNumber;
        _length = 0;
        Put(UlpColumns.Login, line[parsed.Login]);
        Put(UlpColumns.Website, _domain.AsSpan(0, UlpLineParser.WriteDomain(line, parsed, _domain)));
        Put(UlpColumns.Password, line[parsed.Password]);
    }

    private void Put(int column, ReadOnlySpan<byte> utf8)
    {
        var n = Encoding.UTF8.GetChars(utf8, _chars.AsSpan(_length));
        _starts[column] = _length;
        _lengths[column] = n;
        _length += n;
    }
}

namespace Leakwatch.Core;

/// <summary>Walks the non-blank lines of a block of whole lines (<see cref="AccountLines"/>), numbering every line,
/// blank or not. Allocates nothing: each account is a slice of the block.</summary>
public ref struct AccountLineReader
{
    private ReadOnlySpan<byte> _rest;

    /// <param name="text">Whole lines; a byte order mark at its start is skipped when <paramref name="atStart"/>.</param>
    /// <param name="firstLine">The number of the block's first line (1 for the start of the input).</param>
    /// <param name="atStart">Whether the block is the start of the input.</param>
    public AccountLineReader(ReadOnlySpan<byte> text, long firstLine, bool atStart)
    {
        _rest = atStart ? text[AccountLines.BomLength(text)..] : text;
        LineNumber = firstLine - 1;
    }

    /// <summary>The number of the line <see cref="TryRead"/> last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The next non-blank line, trimmed; false at the end of the block.</summary>
    public bool TryRead(out ReadOnlySpan<byte> account)
    {
        while (!_rest.IsEmpty)
        {
            var end = _rest.IndexOf((byte)'\n');
            var line = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[(end + 1)..];
            LineNumber++;
            account = AccountLines.Trim(line);
            if (!account.IsEmpty)
            {
                return true;
            }
        }

        account = default;
        return false;
    }
}

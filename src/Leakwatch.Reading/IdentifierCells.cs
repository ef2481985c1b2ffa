namespace Leakwatch.Reading;

/// <summary>
/// Splits a cell that holds several identifiers (<c>a@x.com; b@y.com</c>) into its parts, trimmed, empty parts
/// dropped. Allocation-free: <c>foreach (var part in IdentifierCells.Emails(cell))</c>.
/// <list type="bullet">
/// <item>Emails: ';' and ',' always separate (neither may stand unquoted in an address); '|' and whitespace
///   separate only inside a part holding more than one '@', since "a|b@x.com" is one valid address.</item>
/// <item>Phones: ';' and '|' always separate; ',' only when every comma-separated part has at least
///   <see cref="MinPhoneDigits"/> digits, since "555-1234,22" dials an extension after a pause.</item>
/// </list>
/// Several email (or phone) columns of a row are joined with ';' before splitting, so one row's cells and one
/// cell's parts go through the same rules.
/// </summary>
public static class IdentifierCells
{
    /// <summary>Fewer digits than this make a comma-separated part an extension, not a number.</summary>
    public const int MinPhoneDigits = 7;

    /// <summary>What joins several cells of one role into one value that splits back into the same parts.</summary>
    public const char CellJoiner = ';';

    public static Enumerator Emails(ReadOnlySpan<char> cell) => new(cell, phone: false);

    public static Enumerator Phones(ReadOnlySpan<char> cell) => new(cell, phone: true);

    /// <summary>Walks the parts: first pieces between hard separators, then, where the rules allow, the
    /// sub-pieces of each.</summary>
    public ref struct Enumerator
    {
        private readonly bool _phone;
        private ReadOnlySpan<char> _rest;
        private ReadOnlySpan<char> _piece;
        private bool _splitPiece;

        internal Enumerator(ReadOnlySpan<char> cell, bool phone)
        {
            _phone = phone;
            _rest = cell;
            _piece = default;
            Current = default;
        }

        public ReadOnlySpan<char> Current { get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (true)
            {
                if (!_piece.IsEmpty)
                {
                    var piece = _piece;
                    var soft = !_splitPiece ? -1 : _phone ? piece.IndexOf(',') : IndexOfSoftEmailSeparator(piece);
                    var part = (soft < 0 ? piece : piece[..soft]).Trim();
                    _piece = soft < 0 ? default : piece[(soft + 1)..].TrimStart();
                    if (!part.IsEmpty)
                    {
                        Current = part;
                        return true;
                    }

                    continue;
                }

                if (_rest.IsEmpty)
                {
                    Current = default;
                    return false;
                }

                var cut = _phone ? _rest.IndexOfAny(';', '|') : _rest.IndexOfAny(';', ',');
                _piece = (cut < 0 ? _rest : _rest[..cut]).Trim();
                _rest = cut < 0 ? default : _rest[(cut + 1)..];
                _splitPiece = _phone ? CommaSeparatesNumbers(_piece) : _piece.Count('@') > 1;
            }
        }

        private static int IndexOfSoftEmailSeparator(ReadOnlySpan<char> piece)
        {
            for (var i = 0; i < piece.Length; i++)
            {
                if (piece[i] == '|' || char.IsWhiteSpace(piece[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        private static bool CommaSeparatesNumbers(ReadOnlySpan<char> piece)
        {
            if (!piece.Contains(','))
            {
                return false;
            }

            var rest = piece;
            while (true)
            {
                var cut = rest.IndexOf(',');
                var part = cut < 0 ? rest : rest[..cut];
                var digits = 0;
                foreach (var c in part)
                {
                    digits += char.IsAsciiDigit(c) ? 1 : 0;
                }

                if (digits < MinPhoneDigits)
                {
                    return false;
                }

                if (cut < 0)
                {
                    return true;
                }

                rest = rest[(cut + 1)..];
            }
        }
    }
}

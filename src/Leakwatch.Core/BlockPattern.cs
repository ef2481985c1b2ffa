using System.Text;

namespace Leakwatch.Core;

/// <summary>
/// One of libphonenumber's patterns asked about a whole block of numbers at once: the block is written as its known
/// digits followed by <see cref="Placeholder"/>s, and matched against two rewrites of the pattern.
/// <list type="bullet">
/// <item>"Every": the placeholder is added only to the character classes that hold all ten digits (<c>\d</c>,
/// <c>[0-9]</c>). A match consumes each placeholder with such a class, and the same path then matches whatever digit
/// stands there, while the known digits are matched exactly as by the pattern: every number of the block matches.</item>
/// <item>"Any": the placeholder is added to every class and literal that matches a digit. A match of any number of
/// the block is, along the same path, a match of the placeholders: so when there is none, no number matches.</item>
/// </list>
/// Neither rewrite is exact both ways, so a block is "some" whenever the two disagree, and its numbers are then matched
/// one by one. A pattern using anything beyond digits, digit classes, groups, alternation and quantifiers (which
/// libphonenumber's metadata does not) is never rewritten: every block is "some".
/// </summary>
internal sealed class BlockPattern(string pattern)
{
    /// <summary>Stands for any one digit; never in a national number, which holds only ASCII digits.</summary>
    public const char Placeholder = 'x';

    private PhoneNumberRules.AdaptiveRegex? _every;
    private PhoneNumberRules.AdaptiveRegex? _any;
    private bool _rewritten;
    private bool _unsupported;

    public BlockAnswer Classify(ReadOnlySpan<char> block)
    {
        if (!Volatile.Read(ref _rewritten))
            Rewrite();
        if (_unsupported)
            return BlockAnswer.Some;
        if (_every!.Get().IsMatch(block))
            return BlockAnswer.All;
        return _any!.Get().IsMatch(block) ? BlockAnswer.Some : BlockAnswer.None;
    }

    private void Rewrite()
    {
        // Racing threads rewrite the same text to the same patterns; either copy will do.
        if (TryRewrite(pattern, out var every, out var any))
        {
            _every = new PhoneNumberRules.AdaptiveRegex(every);
            _any = new PhoneNumberRules.AdaptiveRegex(any);
        }
        else
        {
            _unsupported = true;
        }
        Volatile.Write(ref _rewritten, true);
    }

    /// <summary>The two rewrites, or false for a pattern outside the supported subset.</summary>
    internal static bool TryRewrite(string pattern, out string every, out string any)
    {
        var e = new StringBuilder(pattern.Length + 16);
        var a = new StringBuilder(pattern.Length + 16);
        every = any = "";
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case >= '0' and <= '9':
                    e.Append(c);
                    a.Append('[').Append(c).Append(Placeholder).Append(']');
                    break;
                case '\\':
                    if (i + 1 >= pattern.Length || pattern[i + 1] != 'd')
                        return false; // other escapes (\s, \1…) are not in phone metadata
                    e.Append(@"[\d").Append(Placeholder).Append(']');
                    a.Append(@"[\d").Append(Placeholder).Append(']');
                    i++;
                    break;
                case '[':
                    {
                        var end = pattern.IndexOf(']', i + 1);
                        if (end < 0 || !TryDigitsOfClass(pattern.AsSpan(i + 1, end - i - 1), out var digits))
                            return false;
                        var body = pattern.AsSpan(i + 1, end - i - 1);
                        e.Append('[').Append(body);
                        if (digits == 0x3FF)
                            e.Append(Placeholder);
                        e.Append(']');
                        a.Append('[').Append(body);
                        if (digits != 0)
                            a.Append(Placeholder);
                        a.Append(']');
                        i = end;
                        break;
                    }
                case '(':
                    if (i + 1 < pattern.Length && pattern[i + 1] == '?')
                    {
                        if (i + 2 >= pattern.Length || pattern[i + 2] != ':')
                            return false; // lookaround, atomic or named groups
                        e.Append("(?:");
                        a.Append("(?:");
                        i += 2;
                    }
                    else
                    {
                        e.Append(c);
                        a.Append(c);
                    }
                    break;
                case '{':
                    {
                        var end = pattern.IndexOf('}', i + 1);
                        if (end < 0 || pattern.AsSpan(i + 1, end - i - 1).ContainsAnyExcept("0123456789,"))
                            return false;
                        e.Append(pattern, i, end - i + 1);
                        a.Append(pattern, i, end - i + 1);
                        i = end;
                        break;
                    }
                case ')' or '|' or '?' or '*' or '+' or '^' or '$':
                    e.Append(c);
                    a.Append(c);
                    break;
                default:
                    return false;
            }
        }
        every = e.ToString();
        any = a.ToString();
        return true;
    }

    /// <summary>The digits a class body (between '[' and ']') matches, as bits 0–9; false for anything but digits,
    /// digit ranges and <c>\d</c> (a negated class included).</summary>
    private static bool TryDigitsOfClass(ReadOnlySpan<char> body, out int digits)
    {
        digits = 0;
        if (body.IsEmpty || body[0] == '^')
            return false;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\\')
            {
                if (i + 1 >= body.Length || body[i + 1] != 'd')
                    return false;
                digits |= 0x3FF;
                i++;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (i + 2 < body.Length && body[i + 1] == '-')
                {
                    var last = body[i + 2];
                    if (!char.IsAsciiDigit(last) || last < c)
                        return false;
                    for (var d = c; d <= last; d++)
                        digits |= 1 << (d - '0');
                    i += 2;
                }
                else
                {
                    digits |= 1 << (c - '0');
                }
            }
            else
            {
                return false;
            }
        }
        return true;
    }
}

namespace Leakwatch.Core;

/// <summary>
/// Reads dates of birth from dump columns. Only plausible birth dates are accepted: a real calendar
/// date from 1900-01-01 up to "today". Two-digit years are rejected on purpose: "01/02/03" cannot be
/// placed in a century without guessing, and a wrong guess would put a person in the wrong decade.
/// </summary>
public static class BirthDateParser
{
    private static readonly DateOnly Earliest = new(1900, 1, 1);

    /// <summary>
    /// Parses <c>yyyy-MM-dd</c>, <c>yyyy/MM/dd</c>, <c>yyyyMMdd</c>, ISO with a time part
    /// (<c>1990-01-31T00:00:00Z</c>, the time is ignored), and day/month/year orders with separators
    /// <c>/ - .</c> and a four-digit year. <paramref name="order"/> decides the order of the two
    /// small fields; with <see cref="DateOrder.Auto"/> an ambiguous a/b/yyyy (both ≤ 12) is read
    /// as M/D/Y, the US style Facebook exports use. The year's position is evident from its four
    /// digits, so a year-first date is read as y/m/d under any order, and a year-last date under
    /// <see cref="DateOrder.YearMonthDay"/> is read as under <see cref="DateOrder.Auto"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> input, DateOrder order, DateOnly today, out DateOnly date)
    {
        date = default;
        var text = input.Trim();

        // An ISO timestamp: the date is all a birth date needs, and the time zone must not shift it.
        var timeStart = text.IndexOfAny('T', ' ');
        if (timeStart == 10 && text.Length > 10 && IsIsoDatePrefix(text))
            text = text[..10];

        if (text.Length == 8 && AllDigits(text))
        {
            // Always yyyyMMdd: a compact ddMMyyyy is too easy to confuse to accept silently.
            return TryBuild(Digits(text[..4]), Digits(text.Slice(4, 2)), Digits(text.Slice(6, 2)), today, out date);
        }

        Span<int> fields = stackalloc int[3];
        Span<int> widths = stackalloc int[3];
        if (!TrySplitThree(text, fields, widths))
            return false;

        if (widths[0] == 4)
        {
            // A four-digit year in front is unambiguous whatever the column's order: nobody writes y/d/m.
            if (widths[1] > 2 || widths[2] > 2)
                return false;
            return TryBuild(fields[0], fields[1], fields[2], today, out date);
        }

        if (widths[2] != 4 || widths[0] > 2 || widths[1] > 2)
            return false; // two-digit years are not plausible enough to guess a century for

        var (first, second, year) = (fields[0], fields[1], fields[2]);
        var dayFirst = order switch
        {
            DateOrder.DayMonthYear => true,
            DateOrder.MonthDayYear => false,
            _ => first > 12 && second <= 12,
        };
        return dayFirst
            ? TryBuild(year, second, first, today, out date)
            : TryBuild(year, first, second, today, out date);
    }

    /// <summary>Reads the CLI spelling of a date order: <c>auto</c>, <c>dmy</c>, <c>mdy</c> or <c>ymd</c>.</summary>
    public static bool TryParseOrder(string? text, out DateOrder order)
    {
        order = DateOrder.Auto;
        var value = text.AsSpan().Trim();
        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase)) { order = DateOrder.Auto; return true; }
        if (value.Equals("dmy", StringComparison.OrdinalIgnoreCase)) { order = DateOrder.DayMonthYear; return true; }
        if (value.Equals("mdy", StringComparison.OrdinalIgnoreCase)) { order = DateOrder.MonthDayYear; return true; }
        if (value.Equals("ymd", StringComparison.OrdinalIgnoreCase)) { order = DateOrder.YearMonthDay; return true; }
        return false;
    }

    private static bool IsIsoDatePrefix(ReadOnlySpan<char> text) =>
        AllDigits(text[..4]) && text[4] == '-' && AllDigits(text.Slice(5, 2)) && text[7] == '-' && AllDigits(text.Slice(8, 2));

    /// <summary>Splits "a?b?c" on one separator kind (/ - .) used twice; fields are 1–4 digits.</summary>
    private static bool TrySplitThree(ReadOnlySpan<char> text, Span<int> fields, Span<int> widths)
    {
        var separator = '\0';
        var field = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsAsciiDigit(text[i]))
                continue;
            if (i < text.Length)
            {
                var c = text[i];
                if (c is not ('/' or '-' or '.'))
                    return false;
                if (separator == '\0')
                    separator = c;
                else if (c != separator)
                    return false;
            }
            var width = i - start;
            if (width is 0 or > 4 || field == 3)
                return false;
            fields[field] = Digits(text.Slice(start, width));
            widths[field] = width;
            field++;
            start = i + 1;
        }
        return field == 3;
    }

    private static bool TryBuild(int year, int month, int day, DateOnly today, out DateOnly date)
    {
        date = default;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Clamp(year, 1, 9999), month))
            return false;
        var candidate = new DateOnly(year, month, day);
        if (candidate < Earliest || candidate > today)
            return false;
        date = candidate;
        return true;
    }

    private static bool AllDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private static int Digits(ReadOnlySpan<char> text)
    {
        var value = 0;
        foreach (var c in text)
            value = value * 10 + (c - '0');
        return value;
    }
}

using System.Globalization;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Birthdates. Valid ones fall in 1935–2007. Written as ISO "1990-01-31" or month-first "1/31/1990"
/// (CSV and JSONL mix both; the colon shape uses M/D/YYYY only). Invalid ones are impossible under any reading of
/// the slashes: Feb 30, Feb 29 of a common year, year 1899, a year in the 2090s, month 13 (ISO, or "13/DD" with DD ≥ 13).</summary>
internal static class Dates
{
    public static string Valid(Rng rng, DumpShape shape)
    {
        int year = 1935 + Math.Min(rng.Next(73), rng.Next(73)) / 2 + rng.Next(37); // leans to the 1970s–1990s
        year = Math.Min(year, 2007);
        int month = rng.Next(1, 13);
        int day = rng.Next(1, DateTime.DaysInMonth(year, month) + 1);
        return Write(rng, shape, year, month, day);
    }

    public static string Invalid(Rng rng, DumpShape shape)
    {
        bool iso = shape != DumpShape.Colon && rng.Chance(0.5);
        switch (rng.Next(5))
        {
            case 0:
                return Write(iso, rng.Next(1940, 2005), 2, 30);
            case 1:
                {
                    int year = rng.Next(1940, 2005);
                    if (DateTime.IsLeapYear(year)) year++;
                    return Write(iso, year, 2, 29);
                }
            case 2:
                return Write(iso, 1899, rng.Next(1, 13), rng.Next(1, 29));
            case 3:
                return Write(iso, rng.Next(2090, 2100), rng.Next(1, 13), rng.Next(1, 29));
            default:
                return iso
                    ? Write(true, rng.Next(1940, 2005), 13, rng.Next(1, 29))
                    : Write(false, rng.Next(1940, 2005), 13, rng.Next(13, 29));
        }
    }

    private static string Write(Rng rng, DumpShape shape, int year, int month, int day) =>
        Write(shape != DumpShape.Colon && rng.Chance(0.5), year, month, day);

    private static string Write(bool iso, int year, int month, int day) => iso
        ? string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2}")
        : string.Create(CultureInfo.InvariantCulture, $"{month}/{day}/{year:D4}");

    /// <summary>Reads a birthdate written by this generator (ISO or M/D/Y); null when impossible or outside 1900–2089.</summary>
    public static (int Year, int Month, int Day)? Parse(string text)
    {
        string[] parts;
        int y, m, d;
        if (text.Contains('-', StringComparison.Ordinal))
        {
            parts = text.Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out y)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out m)
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out d)) return null;
        }
        else
        {
            parts = text.Split('/');
            if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out m)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out d)
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out y)) return null;
        }
        if (y is < 1900 or > 2089 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m)) return null;
        return (y, m, d);
    }

    public static string Write(Rng rng, DumpShape shape, (int Year, int Month, int Day) date) => Write(rng, shape, date.Year, date.Month, date.Day);
}

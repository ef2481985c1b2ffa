namespace Leakwatch.Core;

/// <summary>How to read a numeric date whose field order is not evident from the text.</summary>
public enum DateOrder
{
    /// <summary>ISO when the year comes first; otherwise M/D/Y unless a field over 12 forces D/M/Y.</summary>
    Auto,
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Core;

namespace Leakwatch.Core.Tests;

public class BirthDateParserTests
{
    private static readonly DateOnly Today = new(2024, 6, 15);

    [Theory]
    [InlineData("1990-01-31", DateOrder.Auto, 1990, 1, 31)]
    [InlineData("1990/01/31", DateOrder.Auto, 1990, 1, 31)]
    [InlineData("19900131", DateOrder.Auto, 1990, 1, 31)]
    [InlineData("1990-01-31T00:00:00Z", DateOrder.Auto, 1990, 1, 31)]
    [InlineData("1990-01-31T23:59:59+02:00", DateOrder.DayMonthYear, 1990, 1, 31)]
    [InlineData(" 31/01/1990 ", DateOrder.Auto, 1990, 1, 31)]
    [InlineData("01/31/1990", DateOrder.Auto, 1990, 1, 31)]
    [InlineData("02/03/1990", DateOrder.Auto, 1990, 2, 3)]
    [InlineData("02/03/1990", DateOrder.DayMonthYear, 1990, 3, 2)]
    [InlineData("02.03.1990", DateOrder.DayMonthYear, 1990, 3, 2)]
    [InlineData("2-3-1990", DateOrder.MonthDayYear, 1990, 2, 3)]
    [InlineData("1990-1-5", DateOrder.YearMonthDay, 1990, 1, 5)]
    [InlineData("29/02/2000", DateOrder.DayMonthYear, 2000, 2, 29)]
    [InlineData("1900-01-01", DateOrder.Auto, 1900, 1, 1)]
    [InlineData("2024-06-15", DateOrder.Auto, 2024, 6, 15)]
    public void TryParse_PlausibleDate_Parses(string input, DateOrder order, int year, int month, int day)
    {
        Assert.True(BirthDateParser.TryParse(input, order, Today, out var date));
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("31/02/1990", DateOrder.DayMonthYear)]
    [InlineData("29/02/1999", DateOrder.DayMonthYear)]
    [InlineData("1990-13-01", DateOrder.Auto)]
    [InlineData("13/13/1990", DateOrder.Auto)]
    [InlineData("31/12/1899", DateOrder.DayMonthYear)]
    [InlineData("2024-06-16", DateOrder.Auto)]
    [InlineData("01/02/03", DateOrder.Auto)]
    [InlineData("1/2/90", DateOrder.DayMonthYear)]
    [InlineData("31/01/1990", DateOrder.MonthDayYear)]
    [InlineData("1990-01/31", DateOrder.Auto)]
    [InlineData("1990-00-10", DateOrder.Auto)]
    [InlineData("", DateOrder.Auto)]
    [InlineData("yesterday", DateOrder.Auto)]
    [InlineData("1990-01-31X", DateOrder.Auto)]
    [InlineData("123/1/1990", DateOrder.Auto)]
    public void TryParse_ImpossibleOrImplausibleDate_ReturnsFalse(string input, DateOrder order)
    {
        Assert.False(BirthDateParser.TryParse(input, order, Today, out var date));
        Assert.Equal(default, date);
    }

    [Theory]
    [InlineData("auto", DateOrder.Auto)]
    [InlineData("DMY", DateOrder.DayMonthYear)]
    [InlineData("mdy", DateOrder.MonthDayYear)]
    [InlineData(" ymd ", DateOrder.YearMonthDay)]
    public void TryParseOrder_KnownName_Parses(string text, DateOrder expected)
    {
        Assert.True(BirthDateParser.TryParseOrder(text, out var order));
        Assert.Equal(expected, order);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("dym")]
    public void TryParseOrder_UnknownName_ReturnsFalse(string? text)
    {
        Assert.False(BirthDateParser.TryParseOrder(text, out _));
    }

    [Fact]
    public void TryParse_DoesNotAllocate()
    {
        var input = "31/01/1990".AsSpan();
        _ = BirthDateParser.TryParse(input, DateOrder.Auto, Today, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            _ = BirthDateParser.TryParse(input, DateOrder.Auto, Today, out _);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static readonly Gen<DateOnly> PlausibleDates =
        Gen.Choose(new DateOnly(1900, 1, 1).DayNumber, Today.DayNumber).Select(DateOnly.FromDayNumber);

    private static readonly Gen<char> DateSeparators = Gen.Elements('/', '-', '.');

    [Property(MaxTest = 1000)]
    public Property TryParse_IsoFormatted_RoundTrips() =>
        Prop.ForAll(PlausibleDates.ToArbitrary(), Gen.Elements("yyyy-MM-dd", "yyyy/MM/dd", "yyyyMMdd", "yyyy-MM-dd'T'HH:mm:ss'Z'").ToArbitrary(), (date, format) =>
            BirthDateParser.TryParse(date.ToDateTime(new TimeOnly(13, 5)).ToString(format, CultureInfo.InvariantCulture), DateOrder.Auto, Today, out var parsed)
            && parsed == date);

    [Property(MaxTest = 1000)]
    public Property TryParse_DayMonthYear_RoundTrips() =>
        Prop.ForAll(PlausibleDates.ToArbitrary(), DateSeparators.ToArbitrary(), Gen.Elements("dd", "d").ToArbitrary(), (date, separator, dayFormat) =>
        {
            var text = date.ToString($"{dayFormat}{separator}MM{separator}yyyy", CultureInfo.InvariantCulture);
            return BirthDateParser.TryParse(text, DateOrder.DayMonthYear, Today, out var parsed) && parsed == date;
        });

    [Property(MaxTest = 1000)]
    public Property TryParse_MonthDayYear_RoundTrips() =>
        Prop.ForAll(PlausibleDates.ToArbitrary(), DateSeparators.ToArbitrary(), (date, separator) =>
        {
            var text = date.ToString($"MM{separator}dd{separator}yyyy", CultureInfo.InvariantCulture);
            // Auto must agree: ambiguous a/b/yyyy reads as M/D/Y, and a day over 12 forces it anyway.
            return BirthDateParser.TryParse(text, DateOrder.MonthDayYear, Today, out var parsed) && parsed == date
                && BirthDateParser.TryParse(text, DateOrder.Auto, Today, out var auto) && auto == date;
        });

    [Property(MaxTest = 1000)]
    public Property TryParse_FutureOrPre1900_IsRejected() =>
        Prop.ForAll(Gen.OneOf(Gen.Choose(1, 20000).Select(d => Today.AddDays(d)), Gen.Choose(1, 20000).Select(d => new DateOnly(1900, 1, 1).AddDays(-d))).ToArbitrary(), date =>
            !BirthDateParser.TryParse(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DateOrder.Auto, Today, out _)
            && !BirthDateParser.TryParse(date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), DateOrder.DayMonthYear, Today, out _));

    [Property(MaxTest = 1000)]
    public Property TryParse_ImpossibleDay_IsRejected() =>
        Prop.ForAll(Gen.Choose(1901, 2023).ToArbitrary(), Gen.Choose(1, 12).ToArbitrary(), (year, month) =>
        {
            var day = DateTime.DaysInMonth(year, month) + 1;
            return !BirthDateParser.TryParse($"{day:00}/{month:00}/{year}", DateOrder.DayMonthYear, Today, out _)
                && !BirthDateParser.TryParse($"{year}-13-{month:00}", DateOrder.Auto, Today, out _);
        });
}

using ScottPlot;

namespace Leakwatch.Analysis;

/// <summary>The report's charts as standalone SVG (ScottPlot 5), ready to inline into HTML.</summary>
public static class ReportCharts
{
    private const int Width = 720;
    private const int Height = 320;
    private const int MaxBars = 15;

    private static readonly Lazy<string?> FontName = new(PickFont);

    public static string BirthYears(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = NewPlot("Birth years", "count");
        var years = report.BirthDates.Years;
        var bars = new List<Bar>(years.Count);
        foreach (var y in years)
        {
            if (y.Year is not { } year)
            {
                continue;
            }

            bars.Add(new Bar
            {
                Position = year,
                Value = y.Count,
                FillColor = y.Spike ? Colors.Crimson : Colors.SteelBlue,
                LineWidth = 0,
                Size = 0.9,
            });
        }

        if (bars.Count > 0)
        {
            plot.Add.Bars(bars);
            plot.Axes.Margins(bottom: 0);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => v.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
                IntegerTicksOnly = true,
            };
        }

        return Svg(plot, bars.Count == 0);
    }

    public static string Countries(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = NewPlot("Country mix (valid phones)", "share of valid phones");
        var items = report.TopCountries;
        var n = Math.Min(MaxBars, items.Count);
        var values = new double[n];
        var labels = new string[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = items[i].Share.Value;
            labels[i] = items[i].Name;
        }

        Categories(plot, values, labels, Colors.SteelBlue);
        return Svg(plot, n == 0);
    }

    public static string Overlap(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = NewPlot("Overlap with earlier breaches", "share of distinct ids");
        var items = report.Overlap;
        var n = Math.Min(MaxBars, items.Count);
        var first = new double[n];
        var second = new double[n];
        var labels = new string[n];
        for (var i = 0; i < n; i++)
        {
            first[i] = items[i].EmailRatio.Value;
            second[i] = items[i].PhoneRatio.Value;
            labels[i] = items[i].Breach;
        }

        Grouped(plot, first, second, labels, "emails", "phones");
        return Svg(plot, n == 0);
    }

    public static string EnumerationDensity(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = NewPlot("Phone numbers in consecutive runs, by calling code", "share of numbers");
        var items = report.Enumeration.ByCountry;
        var n = Math.Min(MaxBars, items.Count);
        var first = new double[n];
        var second = new double[n];
        var labels = new string[n];
        for (var i = 0; i < n; i++)
        {
            first[i] = items[i].ShareInRunsOf10;
            second[i] = items[i].ShareInRunsOf100;
            labels[i] = items[i].CallingCode is { } code ? "+" + code.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + items[i].Region : items[i].Region;
        }

        Grouped(plot, first, second, labels, $"runs >= {NumberRunDetector.ShortRun}", $"runs >= {NumberRunDetector.LongRun}");
        return Svg(plot, n == 0);
    }

    public static string RunLengths(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = NewPlot("Run lengths (numbers per length bucket, log10)", "log10(numbers)");
        var items = report.Enumeration.RunLengthHistogram;
        var values = new double[items.Count];
        var labels = new string[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            values[i] = Math.Log10(items[i].Numbers + 1);
            labels[i] = items[i].MinLength == items[i].MaxLength
                ? items[i].MinLength.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : $"{items[i].MinLength}-{items[i].MaxLength}";
        }

        Categories(plot, values, labels, Colors.DarkOrange);
        return Svg(plot, items.Count == 0);
    }

    private static Plot NewPlot(string title, string yLabel)
    {
        var plot = new Plot();
        if (FontName.Value is { } font)
        {
            plot.Font.Set(font);
        }

        plot.Title(title);
        plot.YLabel(yLabel);
        return plot;
    }

    private static void Categories(Plot plot, double[] values, string[] labels, Color color)
    {
        if (values.Length == 0)
        {
            return;
        }

        var bars = new List<Bar>(values.Length);
        var ticks = new Tick[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bars.Add(new Bar { Position = i, Value = values[i], FillColor = color, LineWidth = 0 });
            ticks[i] = new Tick(i, labels[i]);
        }

        plot.Add.Bars(bars);
        Label(plot, ticks);
    }

    private static void Grouped(Plot plot, double[] first, double[] second, string[] labels, string firstName, string secondName)
    {
        if (first.Length == 0)
        {
            return;
        }

        var a = new List<Bar>();
        var b = new List<Bar>();
        var ticks = new Tick[first.Length];
        for (var i = 0; i < first.Length; i++)
        {
            a.Add(new Bar { Position = i * 3, Value = first[i], FillColor = Colors.SteelBlue, LineWidth = 0 });
            b.Add(new Bar { Position = i * 3 + 1, Value = second[i], FillColor = Colors.DarkOrange, LineWidth = 0 });
            ticks[i] = new Tick(i * 3 + 0.5, labels[i]);
        }

        var pa = plot.Add.Bars(a);
        pa.LegendText = firstName;
        var pb = plot.Add.Bars(b);
        pb.LegendText = secondName;
        plot.ShowLegend(Alignment.UpperRight);
        Label(plot, ticks);
    }

    private static void Label(Plot plot, Tick[] ticks)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Margins(bottom: 0);
        plot.HideGrid();
    }

    private static string Svg(Plot plot, bool empty)
    {
        if (empty)
        {
            plot.Add.Annotation("no data");
        }

        var svg = plot.GetSvgXml(Width, Height);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start > 0 ? svg[start..] : svg;
    }

    /// <summary>Headless Linux boxes often lack the font Skia would pick; choose one that is installed.</summary>
    private static string? PickFont()
    {
        foreach (var name in new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", Fonts.Default })
        {
            using var typeface = SkiaSharp.SKTypeface.FromFamilyName(name);
            if (typeface is not null && string.Equals(typeface.FamilyName, name, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return null;
    }
}

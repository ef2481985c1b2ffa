using Microsoft.AspNetCore.Components;

namespace Leakwatch.Analysis;

/// <summary>One chart of the report, as the inline SVG that <see cref="ReportCharts"/> drew.</summary>
public sealed partial class ReportChart
{
    /// <summary>SVG markup from <see cref="ReportCharts"/>, written as is.</summary>
    [Parameter, EditorRequired]
    public string Svg { get; set; } = "";
}

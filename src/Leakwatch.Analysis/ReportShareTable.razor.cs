using Microsoft.AspNetCore.Components;

namespace Leakwatch.Analysis;

/// <summary>A table of categories of the report (email domains, TLDs) with their counts and shares.</summary>
public sealed partial class ReportShareTable
{
    /// <summary>The first column's heading: what the categories are.</summary>
    [Parameter, EditorRequired]
    public string Heading { get; set; } = "";

    [Parameter, EditorRequired]
    public IReadOnlyList<CategoryShare> Items { get; set; } = [];
}

using Leakwatch.Templates;

namespace Leakwatch.Analysis;

/// <summary>A self-contained HTML page for a report (see <see cref="ReportPage"/>), so it can be mailed or archived
/// as one file.</summary>
public static class ReportHtml
{
    public static string Render(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return ComponentHtml.Render<ReportPage>(new Dictionary<string, object?> { [nameof(ReportPage.Report)] = report });
    }
}

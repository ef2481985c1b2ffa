using System.Globalization;
using System.Text;

namespace Leakwatch.Analysis;

/// <summary>A short terminal summary of a report, in Markdown.</summary>
public static class ReportMarkdown
{
    public static string Render(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.Append("# Verification report").Append(report.Breach is null ? "" : ": " + report.Breach).Append('\n').Append('\n');
        if (report.Sample is { } s)
        {
            sb.Append(Inv($"Sample of {s.SampleSize:N0} of {s.PopulationRows:N0} rows (seed {s.Seed}); ratios show a 95% interval where the sample supports one (see the report's cannotEstablish).\n\n"));
        }

        sb.Append("| | |\n|---|---|\n");
        Row(sb, "rows", N(report.Rows));
        Row(sb, "duplicate rows", report.Sample is { Complete: false }
            ? $"{N(report.DuplicateRows)} in the sample; estimated share of the dump {P(report.DuplicateRatio)}"
            : $"{N(report.DuplicateRows)} ({P(report.DuplicateRatio)})");
        Row(sb, "distinct emails / phones", $"{N(report.Distinct.Email)} / {N(report.Distinct.Phone)}");
        Row(sb, "invalid email / phone / birthdate", $"{N(report.Invalid.Email)} / {N(report.Invalid.Phone)} / {N(report.Invalid.Birthdate)}");
        Row(sb, "valid share email / phone / birthdate", $"{P(report.Validity.Email)} / {P(report.Validity.Phone)} / {P(report.Validity.Birthdate)}");
        Row(sb, "top countries", Join(report.TopCountries, 5));
        Row(sb, "top email domains", Join(report.TopEmailDomains, 5));
        if (report.DomainMismatch is { } d)
        {
            Row(sb, "claimed domain", $"{d.ClaimedDomain}: {P(d.ClaimedShare)} of emails{(d.Mismatch ? $" — {d.DominantDomain} has {P(d.DominantShare)}" : "")}");
        }

        if (report.SeenBefore is { } seen)
        {
            Row(sb, "seen in earlier breaches", $"{P(seen.IdentifierRatio)} of identifiers{(seen.Exact ? "" : " (lower bound)")}");
        }

        var e = report.Enumeration;
        Row(sb, "longest phone run" + (e.Scope == "sample" ? " (in sample)" : ""),
            e.LongestRun == 0 ? "-" : $"{N(e.LongestRun)} from {e.LongestRunStartMasked}; {N(e.NumbersInRunsOf100)} numbers in runs of >= 100");
        sb.Append('\n');

        if (report.Overlap.Count > 0)
        {
            sb.Append("## Overlap\n\n| breach | emails | phones |\n|---|---|---|\n");
            for (var i = 0; i < report.Overlap.Count && i < 10; i++)
            {
                var o = report.Overlap[i];
                sb.Append(Inv($"| {Cell(o.Breach)} | {o.Emails:N0} ({P(o.EmailRatio)}) | {o.Phones:N0} ({P(o.PhoneRatio)}) |\n"));
            }

            sb.Append('\n');
        }

        sb.Append("## Verdict\n\n");
        if (report.Verdict.Count == 0)
        {
            sb.Append("No finding crossed its threshold.\n");
        }

        foreach (var f in report.Verdict)
        {
            sb.Append("- **").Append(f.Kind).Append("** (").Append(f.Confidence).Append(")\n");
            foreach (var ev in f.Evidence)
            {
                sb.Append("  - ").Append(ev).Append('\n');
            }

            sb.Append("  - rule: ").Append(f.Threshold).Append('\n');
        }

        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, string value) => sb.Append("| ").Append(name).Append(" | ").Append(Cell(value)).Append(" |\n");

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Join(IReadOnlyList<CategoryShare> items, int max)
    {
        var parts = new List<string>();
        for (var i = 0; i < items.Count && i < max; i++)
        {
            parts.Add($"{items[i].Name} {P(items[i].Share)}");
        }

        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    internal static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    internal static string P(Ratio? r) => r is null ? "-" : r.Low is { } low && r.High is { } high
        ? $"{P(r.Value)} [{P(low)}-{P(high)}]"
        : P(r.Value);

    internal static string P(double v) => (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

using System.Net;
using System.Text;

namespace Leakwatch.Analysis;

/// <summary>A self-contained HTML page for a report: inline CSS, charts as inline SVG, no script and no
/// external asset, so it can be mailed or archived as one file.</summary>
public static class ReportHtml
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#1d2733;line-height:1.45;padding:0 1rem}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
        table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
        th{background:#f3f5f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
        .finding{border-left:4px solid #8a959e;padding:.3rem .8rem;margin:.6rem 0;background:#f8f9fa}
        .finding.high{border-color:#c62828}.finding.medium{border-color:#ef6c00}.finding.low{border-color:#8a959e}
        .rule{color:#57606a;font-size:.9rem}.note{color:#57606a}.chart svg{max-width:100%;height:auto}
        """;

    public static string Render(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder(64 * 1024);
        var title = "Verification report" + (report.Breach is null ? "" : ": " + report.Breach);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append(Style).Append("</style>\n</head>\n<body>\n<h1>").Append(E(title)).Append("</h1>\n");
        sb.Append("<p class=\"note\">Schema version ").Append(report.SchemaVersion).Append(". Aggregates only: no email address, phone number or hash of one appears here.</p>\n");

        if (report.Sample is { } s)
        {
            sb.Append("<h2>Sample</h2>\n<p>").Append(E($"{ReportMarkdown.N(s.SampleSize)} of {ReportMarkdown.N(s.PopulationRows)} rows, seed {s.Seed}. Ratios show 95% Wilson intervals.")).Append("</p>\n");
            List(sb, "Can establish", s.CanEstablish);
            List(sb, "Cannot establish", s.CannotEstablish);
        }

        sb.Append("<h2>Verdict</h2>\n");
        if (report.Verdict.Count == 0)
        {
            sb.Append("<p>No finding crossed its threshold.</p>\n");
        }

        foreach (var f in report.Verdict)
        {
            sb.Append("<div class=\"finding ").Append(E(f.Confidence)).Append("\"><strong>").Append(E(f.Kind)).Append("</strong> (").Append(E(f.Confidence)).Append(")<ul>");
            foreach (var ev in f.Evidence)
            {
                sb.Append("<li>").Append(E(ev)).Append("</li>");
            }

            sb.Append("</ul><div class=\"rule\">Rule: ").Append(E(f.Threshold)).Append("</div></div>\n");
        }

        sb.Append("<h2>Counts</h2>\n<table>\n");
        Row(sb, "Rows", ReportMarkdown.N(report.Rows));
        Row(sb, "Duplicate rows", $"{ReportMarkdown.N(report.DuplicateRows)} ({ReportMarkdown.P(report.DuplicateRatio)})");
        Row(sb, "Distinct emails", ReportMarkdown.N(report.Distinct.Email));
        Row(sb, "Distinct phones", ReportMarkdown.N(report.Distinct.Phone));
        Row(sb, "Invalid email / phone / birthdate", $"{ReportMarkdown.N(report.Invalid.Email)} / {ReportMarkdown.N(report.Invalid.Phone)} / {ReportMarkdown.N(report.Invalid.Birthdate)}");
        Row(sb, "Valid share email", ReportMarkdown.P(report.Validity.Email));
        Row(sb, "Valid share phone", ReportMarkdown.P(report.Validity.Phone));
        Row(sb, "Valid share birthdate", ReportMarkdown.P(report.Validity.Birthdate));
        var g = report.Gender;
        Row(sb, "Gender female / male / other / unrecognized", $"{ReportMarkdown.N(g.Female)} / {ReportMarkdown.N(g.Male)} / {ReportMarkdown.N(g.Other)} / {ReportMarkdown.N(g.Unrecognized)}; female share {ReportMarkdown.P(g.FemaleShare)}");
        if (report.BirthDates.MostCommon is { } mc)
        {
            Row(sb, "Most common birth date", $"{mc.Date ?? "(fewer than " + ReportBuilder.MinCountToShowDate + " rows, not shown)"}: {ReportMarkdown.N(mc.Count)} ({ReportMarkdown.P(mc.Share)})");
        }

        sb.Append("</table>\n");

        sb.Append("<h2>Birth years</h2>\n");
        Chart(sb, ReportCharts.BirthYears(report));
        if (report.BirthDates.Spikes.Count > 0)
        {
            sb.Append("<table><tr><th>date</th><th>count</th><th>mean of nearby days</th><th>share</th></tr>\n");
            foreach (var spike in report.BirthDates.Spikes)
            {
                sb.Append("<tr><td>").Append(E(spike.Date)).Append("</td><td class=\"n\">").Append(ReportMarkdown.N(spike.Count))
                    .Append("</td><td class=\"n\">").Append(spike.Baseline.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture))
                    .Append("</td><td class=\"n\">").Append(E(ReportMarkdown.P(spike.Share))).Append("</td></tr>\n");
            }

            sb.Append("</table>\n");
        }

        sb.Append("<h2>Countries</h2>\n");
        Chart(sb, ReportCharts.Countries(report));
        Shares(sb, "Phone validity by calling code", report.PhoneValidityByCountry);

        sb.Append("<h2>Email domains</h2>\n");
        if (report.DomainMismatch is { } d)
        {
            sb.Append("<p>").Append(E($"Claimed domain {d.ClaimedDomain}: {ReportMarkdown.N(d.ClaimedCount)} emails ({ReportMarkdown.P(d.ClaimedShare)}). Largest non-webmail domain: {d.DominantDomain ?? "-"} ({ReportMarkdown.P(d.DominantShare)}).{(d.Mismatch ? " Mismatch." : "")}")).Append("</p>\n");
        }

        Shares(sb, "domain", report.TopEmailDomains);
        Shares(sb, "TLD", report.TopEmailTlds);

        sb.Append("<h2>Overlap with earlier breaches</h2>\n");
        if (report.SeenBefore is { } seen)
        {
            sb.Append("<p>").Append(E($"{ReportMarkdown.P(seen.IdentifierRatio)} of distinct identifiers were in an earlier breach{(seen.Exact ? "" : " (lower bound)")}.")).Append("</p>\n");
        }

        Chart(sb, ReportCharts.Overlap(report));

        var e = report.Enumeration;
        sb.Append("<h2>Phone-number enumeration</h2>\n<p>").Append(E(e.LongestRun == 0
            ? "No valid phone numbers."
            : $"Longest run of consecutive numbers: {ReportMarkdown.N(e.LongestRun)} from {e.LongestRunStartMasked} ({e.LongestRunRegion}); {ReportMarkdown.N(e.NumbersInRunsOf100)} numbers in {ReportMarkdown.N(e.RunsOf100)} runs of at least {NumberRunDetector.LongRun}.{(e.Scope == "sample" ? " Computed on the sample only: not representative of runs in the dump." : "")}"))
            .Append("</p>\n");
        Chart(sb, ReportCharts.EnumerationDensity(report));
        Chart(sb, ReportCharts.RunLengths(report));
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Chart(StringBuilder sb, string svg) => sb.Append("<div class=\"chart\">\n").Append(svg).Append("\n</div>\n");

    private static void Row(StringBuilder sb, string name, string value) =>
        sb.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");

    private static void List(StringBuilder sb, string heading, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        sb.Append("<p><strong>").Append(E(heading)).Append("</strong></p><ul>");
        foreach (var item in items)
        {
            sb.Append("<li>").Append(E(item)).Append("</li>");
        }

        sb.Append("</ul>\n");
    }

    private static void Shares(StringBuilder sb, string heading, IReadOnlyList<CategoryShare> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        sb.Append("<table><tr><th>").Append(E(heading)).Append("</th><th>count</th><th>share</th></tr>\n");
        foreach (var i in items)
        {
            sb.Append("<tr><td>").Append(E(i.Name)).Append("</td><td class=\"n\">").Append(ReportMarkdown.N(i.Count))
                .Append("</td><td class=\"n\">").Append(E(ReportMarkdown.P(i.Share))).Append("</td></tr>\n");
        }

        sb.Append("</table>\n");
    }

    private static void Shares(StringBuilder sb, string heading, IReadOnlyList<PhoneCountryValidity> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        sb.Append("<p><strong>").Append(E(heading)).Append("</strong></p><table><tr><th>code</th><th>region</th><th>valid</th><th>invalid</th><th>valid share</th></tr>\n");
        foreach (var i in items)
        {
            sb.Append("<tr><td>+").Append(i.CallingCode).Append("</td><td>").Append(E(i.Region)).Append("</td><td class=\"n\">").Append(ReportMarkdown.N(i.Valid))
                .Append("</td><td class=\"n\">").Append(ReportMarkdown.N(i.Invalid)).Append("</td><td class=\"n\">").Append(E(ReportMarkdown.P(i.ValidRatio))).Append("</td></tr>\n");
        }

        sb.Append("</table>\n");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}

using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace Leakwatch.Analysis;

/// <summary>
/// The report as one self-contained page: inline CSS, charts as inline SVG, no script and no external asset (and so
/// none of the site's header, which needs the site's stylesheet and icon). All report text is HTML-encoded.
/// </summary>
public sealed partial class ReportPage
{
    [Parameter, EditorRequired]
    public VerificationReport Report { get; set; } = null!;

    private string PageTitle => "Verification report" + (Report.Breach is null ? "" : ": " + Report.Breach);

    private string EnumerationLine
    {
        get
        {
            var e = Report.Enumeration;
            return e.LongestRun == 0
                ? "No valid phone numbers."
                : $"Longest run of consecutive numbers: {ReportMarkdown.N(e.LongestRun)} from {e.LongestRunStartMasked} ({e.LongestRunRegion}); {ReportMarkdown.N(e.NumbersInRunsOf100)} numbers in {ReportMarkdown.N(e.RunsOf100)} runs of at least {NumberRunDetector.LongRun}.{(e.Scope == "sample" ? " Computed on the sample only: not representative of runs in the dump." : "")}";
        }
    }

    private static string SampleLine(SampleInfo s) =>
        $"{ReportMarkdown.N(s.SampleSize)} of {ReportMarkdown.N(s.PopulationRows)} rows, seed {s.Seed}. Ratios show a 95% interval wherever the sample supports an honest one; the others are point estimates, listed under Cannot establish.";

    private static string DomainLine(DomainCheck d) =>
        $"Claimed domain {d.ClaimedDomain}: {ReportMarkdown.N(d.ClaimedCount)} emails ({ReportMarkdown.P(d.ClaimedShare)}). Largest non-webmail domain: {d.DominantDomain ?? "-"} ({ReportMarkdown.P(d.DominantShare)}).{(d.Mismatch ? " Mismatch." : "")}";

    private static string SeenBeforeLine(SeenBefore seen) =>
        $"{ReportMarkdown.P(seen.IdentifierRatio)} of distinct identifiers were in an earlier breach{(seen.Exact ? "" : " (lower bound)")}.";

    private static string Baseline(double mean) => mean.ToString("0.##", CultureInfo.InvariantCulture);

    private List<(string Name, string Value)> CountRows()
    {
        var r = Report;
        var g = r.Gender;
        var rows = new List<(string, string)>
        {
            ("Rows", ReportMarkdown.N(r.Rows)),
            ("Duplicate rows", r.Sample is { Complete: false }
                ? $"{ReportMarkdown.N(r.DuplicateRows)} within the sample; estimated share of the dump {ReportMarkdown.P(r.DuplicateRatio)}"
                : $"{ReportMarkdown.N(r.DuplicateRows)} ({ReportMarkdown.P(r.DuplicateRatio)})"),
            ("Distinct emails", ReportMarkdown.N(r.Distinct.Email)),
            ("Distinct phones", ReportMarkdown.N(r.Distinct.Phone)),
            ("Invalid email / phone / birthdate", $"{ReportMarkdown.N(r.Invalid.Email)} / {ReportMarkdown.N(r.Invalid.Phone)} / {ReportMarkdown.N(r.Invalid.Birthdate)}"),
            ("Valid share email", ReportMarkdown.P(r.Validity.Email)),
            ("Valid share phone", ReportMarkdown.P(r.Validity.Phone)),
            ("Valid share birthdate", ReportMarkdown.P(r.Validity.Birthdate)),
            ("Gender female / male / other / unrecognized", $"{ReportMarkdown.N(g.Female)} / {ReportMarkdown.N(g.Male)} / {ReportMarkdown.N(g.Other)} / {ReportMarkdown.N(g.Unrecognized)}; female share {ReportMarkdown.P(g.FemaleShare)}"),
        };
        if (r.BirthDates.MostCommon is { } mc)
        {
            rows.Add(("Most common birth date", $"{mc.Date ?? "(fewer than " + ReportBuilder.MinCountToShowDate + " rows, not shown)"}: {ReportMarkdown.N(mc.Count)} ({ReportMarkdown.P(mc.Share)})"));
        }

        return rows;
    }
}

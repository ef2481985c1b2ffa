using Leakwatch.Analysis;

namespace Leakwatch.Ingest.Phases;

/// <summary>The report phase: the overlap per compared breach and the verification report, from the workers'
/// accumulators and the merge's exact overlap.</summary>
internal static class ReportAssembly
{
    public static void Build(IngestOptions options, IngestStats stats, Dictionary<int, string> compared, OverlapCounter overlap, MergedKeys merged)
    {
        foreach (var (id, name) in compared.OrderBy(kv => kv.Key))
        {
            var counts = overlap.ByBreach.GetValueOrDefault(id);
            stats.Overlap.Add(new OverlapEntry { Breach = name, Emails = counts.Emails, Phones = counts.Phones });
        }

        stats.Report = Report(options, stats, merged.Analysis, merged.Enumeration, overlap);
        stats.IndexEntries = merged.Entries;
    }

    private static VerificationReport Report(IngestOptions options, IngestStats stats, AnalysisAccumulator merged,
        EnumerationResult enumeration, OverlapCounter overlap)
    {
        var list = new List<(string Breach, long Emails, long Phones)>(stats.Overlap.Count);
        foreach (var o in stats.Overlap)
        {
            list.Add((o.Breach, o.Emails, o.Phones));
        }

        return ReportBuilder.Build(new ReportInputs
        {
            Rows = stats.Rows,
            DuplicateRows = stats.DuplicateRows,
            InvalidEmail = stats.Invalid.Email,
            InvalidPhone = stats.Invalid.Phone,
            InvalidBirthdate = stats.Invalid.Birthdate,
            DistinctEmail = stats.Distinct.Email,
            DistinctPhone = stats.Distinct.Phone,
            Analysis = merged,
            Overlap = list,
            SeenBefore = (overlap.SeenBeforeEmails, overlap.SeenBeforePhones),
            ClaimedDomain = options.Domain,
            Breach = options.BreachName,
            Enumeration = enumeration,
        });
    }
}

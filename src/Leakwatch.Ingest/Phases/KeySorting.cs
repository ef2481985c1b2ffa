using Leakwatch.Index;

namespace Leakwatch.Ingest.Phases;

/// <summary>The sort phase, and the row-fingerprint sort that runs beside the merge. Every call into the
/// external sorter's sorting lives here.</summary>
internal static class KeySorting
{
    /// <summary>Identifier buffers first, on all cores; row fingerprints are sorted beside the index merge.</summary>
    public static void SortIdentifiers(DumpKeying keyed) =>
        ExternalSorter.SortBuffers([.. keyed.EmailSorters, .. keyed.PhoneSorters]);

    /// <summary>Row fingerprints carry a low flag bit "has a valid identifier"; identical rows share it.</summary>
    public static void CountRows(List<ExternalSorter> rowSorters, IngestStats stats)
    {
        ExternalSorter.SortBuffers(rowSorters);
        using var rows = ExternalSorter.Merge(rowSorters);
        long accounts = 0;
        while (rows.TryNext(out var fp))
        {
            if ((fp & 1) != 0)
            {
                accounts++;
            }
        }

        stats.DuplicateRows = stats.Rows - rows.Count;
        stats.Accounts = accounts;
    }
}

using Leakwatch.Index;

namespace Leakwatch.Ingest.Phases;

/// <summary>The sort phase, and the row-fingerprint sort that runs beside the merge. Every call into the
/// external sorter's sorting lives here.</summary>
internal static class KeySorting
{
    /// <summary>Identifier buffers first, on all cores; row fingerprints are sorted beside the index merge.</summary>
    public static void SortIdentifiers(DumpKeying keyed) =>
        ExternalSorter.SortBuffers([.. keyed.EmailSorters, .. keyed.PhoneSorters]);

    /// <summary>The lowest of a row fingerprint's 80 bits: set when the row has a valid identifier.</summary>
    public static readonly UInt128 HasIdentifier = (UInt128)1 << 48;

    /// <summary>Row fingerprints carry a flag bit "has a valid identifier" (<see cref="HasIdentifier"/>); identical rows share it.</summary>
    public static void CountRows(List<ExternalSorter> rowSorters, IngestStats stats)
    {
        ExternalSorter.SortBuffers(rowSorters);
        using var rows = ExternalSorter.Merge(rowSorters);
        long accounts = 0;
        while (rows.TryNext(out var fp))
        {
            if ((fp & HasIdentifier) != UInt128.Zero)
            {
                accounts++;
            }
        }

        stats.DuplicateRows = stats.Rows - rows.Count;
        stats.Accounts = accounts;
    }
}

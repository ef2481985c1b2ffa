using Leakwatch.Analysis;
using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Phases;

/// <summary>The merge phase: the sorted identifier keys stream past the published index, while the enumeration
/// scan (sorting every phone number) and duplicate-row counting run beside it: the three touch disjoint data.
/// What the keys stream into is the caller's: a new index generation for an ingest, only the overlap counter
/// for a verify.</summary>
internal static class KeyMerge
{
    /// <param name="consume">Called once with the merged key stream; returns the index entries written.</param>
    public static MergedKeys Run(DumpKeying keyed, IngestStats stats, Func<ClassedKeyStream, long> consume, CancellationToken ct)
    {
        var analysis = keyed.MergeAnalyses();
        var enumeration = Task.Run(() => NumberRunDetector.Detect(analysis), ct);
        var rowCount = Task.Run(() => KeySorting.CountRows(keyed.RowSorters, stats), ct);
        var emailCursor = ExternalSorter.Merge(keyed.EmailSorters);
        var phoneCursor = ExternalSorter.Merge(keyed.PhoneSorters);
        var keys = new ClassedKeyStream([(emailCursor, (byte)IdentifierClass.Email), (phoneCursor, (byte)IdentifierClass.Phone)]);
        long entries;
        try
        {
            entries = consume(keys);
        }
        finally
        {
            emailCursor.Dispose();
            phoneCursor.Dispose();
            rowCount.GetAwaiter().GetResult();
            // The scan reads the accumulators, which the caller disposes once this phase is over.
            ((IAsyncResult)enumeration).AsyncWaitHandle.WaitOne();
        }

        stats.Distinct.Email = emailCursor.Count;
        stats.Distinct.Phone = phoneCursor.Count;
        return new MergedKeys(entries, analysis, enumeration.GetAwaiter().GetResult());
    }
}

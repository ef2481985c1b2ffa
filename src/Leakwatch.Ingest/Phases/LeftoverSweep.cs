using Leakwatch.Core.Errors;
using Leakwatch.Index;

namespace Leakwatch.Ingest.Phases;

/// <summary>Removes what a failed ingest or remove wrote before it failed: the unpublished index generation and the
/// spilled runs in tmp/. The manifest is read again, so a run that failed after its publish keeps what it published.</summary>
internal static class LeftoverSweep
{
    public static void AfterFailedWrite(ExposureIndexStore store)
    {
        try
        {
            store.CollectGarbage(store.ReadManifest());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LeakwatchException)
        {
            // The run's own error is the one to report; the next write sweeps again before it writes anything.
        }
    }
}

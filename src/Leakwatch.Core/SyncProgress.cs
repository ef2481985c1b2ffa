namespace Leakwatch.Core;

/// <summary>
/// Reports progress on the caller's thread. <see cref="Progress{T}"/> posts each report to the thread pool (or a
/// captured context), so a progress bar lags behind the work and a test cannot read the last value once the work
/// returns; here every report has run before <c>Report</c> returns.
/// </summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

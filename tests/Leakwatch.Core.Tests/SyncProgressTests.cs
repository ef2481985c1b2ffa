using Leakwatch.Core;

namespace Leakwatch.Core.Tests;

public sealed class SyncProgressTests
{
    [Fact]
    public void Report_RunsOnTheCallersThreadBeforeReturning()
    {
        var seen = new List<(int Value, int Thread)>();
        IProgress<int> progress = new SyncProgress<int>(v => seen.Add((v, Environment.CurrentManagedThreadId)));
        progress.Report(1);
        progress.Report(2);
        Assert.Equal([(1, Environment.CurrentManagedThreadId), (2, Environment.CurrentManagedThreadId)], seen);
    }
}

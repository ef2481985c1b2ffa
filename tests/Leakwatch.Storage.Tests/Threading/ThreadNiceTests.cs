using Leakwatch.Storage.Threading;

namespace Leakwatch.Storage.Tests.Threading;

/// <summary>A lowered thread runs at nice 10 and the others keep their priority (Linux schedules threads apart).</summary>
public sealed class ThreadNiceTests
{
    [Fact]
    public void LowerCurrentThread_LowersThatThreadOnly()
    {
        var before = ThreadNice.CurrentThreadNice();
        bool? lowered = null;
        int? inside = null;
        var thread = new Thread(() =>
        {
            lowered = ThreadNice.LowerCurrentThread();
            inside = ThreadNice.CurrentThreadNice();
        });
        thread.Start();
        thread.Join();

        if (!OperatingSystem.IsLinux())
        {
            Assert.False(lowered);
            return;
        }

        Assert.True(lowered);
        Assert.Equal(ThreadNice.Background, inside);
        Assert.Equal(before, ThreadNice.CurrentThreadNice());
    }
}

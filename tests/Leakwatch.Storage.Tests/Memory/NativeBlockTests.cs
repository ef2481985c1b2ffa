using Leakwatch.Storage.Memory;

namespace Leakwatch.Storage.Tests.Memory;

/// <summary>A buffer outside the managed heap: what is written reads back, bounds and disposal are checked, and a
/// large one is huge-page aligned and advised as the managed heap is (its mapping is THP-eligible in /proc/self/smaps).</summary>
public sealed class NativeBlockTests
{
    [Fact]
    public void Values_WrittenThroughTheSpan_ReadBackThroughTheIndexer_AndBoundsAreChecked()
    {
        using var block = new NativeBlock<long>(1000);
        Assert.Equal(1000, block.Length);
        Assert.Equal(1000, block.Span.Length);
        for (var i = 0; i < block.Length; i++)
        {
            block.Span[i] = (long)i * i;
        }

        Assert.Equal(998L * 998, block[998]);
        block[3] = -7;
        Assert.Equal(-7, block.Span[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => block[1000]);
        Assert.Throws<ArgumentOutOfRangeException>(() => block[-1]);
    }

    [Fact]
    public void Disposed_HasNoLength_RefusesItsSpan_AndDisposesTwiceQuietly()
    {
        var block = new NativeBlock<byte>(64);
        block.Span.Fill(0xAB);
        block.Dispose(wipe: 64);
        Assert.Equal(0, block.Length);
        Assert.Throws<ObjectDisposedException>(() => block.Span.Length);
        block.Dispose();
        Assert.Equal(0, block.Length);
    }

    [Fact]
    public unsafe void LargeBlock_IsHugePageAligned_AndAdvisedOnLinux()
    {
        using var block = new NativeBlock<byte>(6 << 20);
        var address = (ulong)block.Address(0);
        Assert.Equal(0UL, address % (2UL << 20));
        // Where the kernel leaves huge pages to the program (madvise mode, Debian's default), only the advice makes the
        // block eligible; elsewhere (always, never, no THP, not Linux) eligibility is the kernel's alone.
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("LEAKWATCH_HUGE_PAGES") != "0"
            && File.Exists("/sys/kernel/mm/transparent_hugepage/enabled")
            && File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[madvise]", StringComparison.Ordinal))
        {
            Assert.Equal(1, HugePagesTests.EligibleFlag(address));
        }
    }
}

using Leakwatch.Storage.Sorting;

namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>The huge-page hint leaves arrays as arrays: every element of a large one (past the hint's threshold, at
/// sizes that are not whole huge pages) and of a small one can be written and read back, and the memory is not
/// shared with anything else.</summary>
public sealed class LargeBuffersTests
{
    [Theory]
    [InlineData(10)]
    [InlineData((8 << 20) / 16)]
    [InlineData((9 << 20) / 16 + 3)]
    public void Allocate_GivesAWholeWritableArray(int length)
    {
        var a = LargeBuffers.Allocate<UInt128>(length);
        var b = LargeBuffers.Allocate<UInt128>(length);
        Assert.Equal(length, a.Length);
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = new UInt128((ulong)i, ~(ulong)i);
            b[i] = UInt128.Zero;
        }

        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(new UInt128((ulong)i, ~(ulong)i), a[i]);
        }

        Assert.All(b, x => Assert.Equal(UInt128.Zero, x));
    }

    [Fact]
    public void Advise_KeepsWhatAnArrayAlreadyHolds()
    {
        var a = new long[(16 << 20) / 8];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = i * 7L;
        }

        LargeBuffers.Advise(a);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(i * 7L, a[i]);
        }
    }
}

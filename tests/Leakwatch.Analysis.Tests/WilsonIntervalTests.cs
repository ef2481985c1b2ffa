namespace Leakwatch.Analysis.Tests;

public sealed class WilsonIntervalTests
{
    // Reference values: Newcombe (1998), "Two-sided confidence intervals for the single proportion", table I
    // (81/263 → 0.2553–0.3662), and the closed form for 0/n and n/n.
    [Theory]
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(1, 10, 0.0179, 0.4042)]
    [InlineData(5, 10, 0.2366, 0.7634)]
    [InlineData(10, 10, 0.7225, 1.0)]
    public void Compute_KnownValues_MatchReference(long k, long n, double low, double high)
    {
        var (l, h) = WilsonInterval.Compute(k, n);
        Assert.Equal(low, l, 4);
        Assert.Equal(high, h, 4);
    }

    [Fact]
    public void Compute_NoTrials_IsWholeRange()
    {
        Assert.Equal((0.0, 1.0), WilsonInterval.Compute(0, 0));
    }

    [FsCheck.Xunit.Property]
    public bool Compute_AnyCounts_ContainsPointEstimateWithinUnitRange(FsCheck.PositiveInt trials, FsCheck.NonNegativeInt successes)
    {
        var n = trials.Get;
        var k = successes.Get % (n + 1);
        var (low, high) = WilsonInterval.Compute(k, n);
        var p = (double)k / n;
        return low >= 0 && high <= 1 && low <= p + 1e-12 && p <= high + 1e-12;
    }
}

namespace Leakwatch.Analysis;

/// <summary>The Wilson score interval for a binomial proportion: unlike the normal approximation it stays
/// inside [0, 1] and behaves at 0 or n successes, which is where leak statistics often sit.</summary>
public static class WilsonInterval
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    public static (double Low, double High) Compute(long successes, long trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (trials == 0)
        {
            return (0, 1);
        }

        double n = trials;
        var p = successes / n;
        var z2 = z * z;
        var denominator = 1 + z2 / n;
        var center = (p + z2 / (2 * n)) / denominator;
        var half = z / denominator * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return (Math.Max(0, center - half), Math.Min(1, center + half));
    }

    /// <summary>Worst-case (p = 0.5) half-width of a 95% interval from <paramref name="trials"/> observations.</summary>
    public static double WorstCaseHalfWidth(long trials)
    {
        var (low, high) = Compute(trials / 2, trials);
        return (high - low) / 2;
    }
}

namespace Leakwatch.Analysis;

/// <summary>
/// The dump's duplicate share estimated from a uniform sample of n of its N rows (without replacement).
/// <para>
/// Repeats inside a sample understate the dump's: a row and its copy are both sampled with probability
/// π₂ = n(n−1) / (N(N−1)) ≈ f², so the within-sample repeat share is about f times the dump's. Counting duplicate
/// <em>pairs</em> makes this exact: with P the dump's pairs of identical rows (Σ C(m,2) over contents repeated m
/// times) and p the sample's, E[p] = P·π₂, so P̂ = p / π₂ is unbiased for P and P̂ / N for the pair rate P/N. When no
/// row occurs more than twice, P = D (the duplicate rows, Σ (m−1)) and P/N is the duplicate share; otherwise
/// P ≥ D and P/N bounds it from above.
/// </para>
/// <para>
/// Variance: p = Σ over duplicate pairs of I_i·I_j (I = "row sampled"). Two pairs sharing no row are both sampled with
/// probability π₄ ≤ π₂² (sampling without replacement), two sharing one row with π₃ = π₂(n−2)/(N−2). So
/// Var(p) = P·π₂(1−π₂) + T·(π₃−π₂²) + (P²−P−T)(π₄−π₂²), where T = Σ m(m−1)(m−2) counts ordered pairs of pairs that
/// share a row. The last term is negative and is dropped (the interval only widens); T is estimated without bias by
/// t/π₃ with t the same sum over the sample. The interval for E[p] is the score interval of a Poisson mean with that
/// overdispersion φ = Var(p)/E[p], which, unlike a normal interval, stays sensible at p = 0; divided by π₂·N it bounds
/// P/N.
/// </para>
/// </summary>
public static class SampledDuplicateShare
{
    /// <param name="sampleRows">n, the rows sampled.</param>
    /// <param name="populationRows">N, the rows in the dump.</param>
    /// <param name="pairs">p: pairs of identical rows within the sample, Σ C(k,2).</param>
    /// <param name="sharedRowPairs">t: Σ k(k−1)(k−2) over the sample's contents seen k times; 0 when none occurs 3+ times.</param>
    /// <returns>The estimate, with a 95% interval only when the sample shows no row three or more times (then the
    /// pair rate is the duplicate share; otherwise its value overstates it and no interval is given).</returns>
    public static Ratio Estimate(long sampleRows, long populationRows, long pairs, long sharedRowPairs, double z = WilsonInterval.Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        ArgumentOutOfRangeException.ThrowIfNegative(sharedRowPairs);
        if (sampleRows < 2 || populationRows < 2)
        {
            return new Ratio(0, null, null);
        }

        double n = sampleRows, bigN = Math.Max(populationRows, sampleRows);
        var pi2 = n * (n - 1) / (bigN * (bigN - 1));
        var scale = 1 / (pi2 * bigN);
        var value = Math.Min(1, pairs * scale);
        if (sharedRowPairs > 0)
        {
            return new Ratio(Round(value), null, null);
        }

        // With t = 0 the estimate of T is 0, so Var(p) = p(1 − π₂) and φ = 1 − π₂.
        var phi = Math.Max(1 - pi2, 1e-9);
        var z2 = z * z;
        var centre = pairs + z2 * phi / 2;
        var half = z * Math.Sqrt(phi * pairs + z2 * phi * phi / 4);
        var low = Math.Max(0, centre - half) * scale;
        var high = (centre + half) * scale;
        return new Ratio(Round(value), Round(Math.Clamp(low, 0, 1)), Round(Math.Clamp(high, 0, 1)));
    }

    private static double Round(double v) => Math.Round(v, 6, MidpointRounding.ToEven);
}

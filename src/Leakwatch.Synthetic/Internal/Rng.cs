namespace Leakwatch.Synthetic.Internal;

/// <summary>xoshiro256** seeded by SplitMix64: fast, and its sequence is fixed by this code (not by the runtime),
/// so output stays byte-identical across .NET versions.</summary>
internal sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    public static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A derived seed for an independent stream, so that adding draws in one part leaves the others unchanged.</summary>
    public static ulong Derive(int seed, ulong stream)
    {
        ulong x = ((ulong)(uint)seed << 32) ^ (stream * 0xD1B54A32D192ED03UL);
        return SplitMix(ref x);
    }

    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) (Lemire's method).</summary>
    public int Next(int n) => (int)NextULong((ulong)n);

    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public ulong NextULong(ulong n)
    {
        if (n == 0) throw new ArgumentOutOfRangeException(nameof(n));
        UInt128 m = (UInt128)NextULong() * n;
        ulong low = (ulong)m;
        if (low < n)
        {
            ulong threshold = (0 - n) % n;
            while (low < threshold)
            {
                m = (UInt128)NextULong() * n;
                low = (ulong)m;
            }
        }
        return (ulong)(m >> 64);
    }

    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => p > 0 && NextDouble() < p;

    public T Pick<T>(T[] items) => items[Next(items.Length)];
}

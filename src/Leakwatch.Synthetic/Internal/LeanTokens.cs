namespace Leakwatch.Synthetic.Internal;

/// <summary>The lean generator's email tokens: a keyed bijection of [0, 10^(2h)) applied to a counter, so tokens are
/// unique without remembering any. A four-round Feistel network on two base-10^h halves (h ≤ 9, so a half fits in 32
/// bits) whose round function maps a multiply-xorshift hash into [0, 10^h) by multiply-shift: no division per round,
/// unlike <see cref="Feistel"/>, whose bytes the default generator keeps.</summary>
internal sealed class LeanTokens
{
    private readonly ulong _half;
    private readonly ulong _k0, _k1, _k2, _k3;
    private ulong _high, _low;

    public LeanTokens(int halfDigits, Rng rng)
    {
        if (halfDigits is < 1 or > 9) throw new ArgumentOutOfRangeException(nameof(halfDigits));
        _half = Country.Pow10(halfDigits);
        _k0 = rng.NextULong();
        _k1 = rng.NextULong();
        _k2 = rng.NextULong();
        _k3 = rng.NextULong();
    }

    public ulong Domain => _half * _half;

    /// <summary>The token of the next counter value.</summary>
    public ulong Next()
    {
        if (_high >= _half) throw new InvalidOperationException("email token counter beyond the id space");
        ulong result = Permute(_high, _low);
        if (++_low == _half)
        {
            _low = 0;
            _high++;
        }
        return result;
    }

    /// <summary>The permutation of x = high·10^h + low (both halves below 10^h).</summary>
    public ulong Permute(ulong high, ulong low)
    {
        ulong left = high, right = low;
        (left, right) = (right, Add(left, Round(right ^ _k0)));
        (left, right) = (right, Add(left, Round(right ^ _k1)));
        (left, right) = (right, Add(left, Round(right ^ _k2)));
        (left, right) = (right, Add(left, Round(right ^ _k3)));
        return (left * _half) + right;
    }

    private ulong Round(ulong z)
    {
        z *= 0x9E3779B97F4A7C15UL;
        z ^= z >> 29;
        z *= 0xBF58476D1CE4E5B9UL;
        return ((z >> 32) * _half) >> 32;
    }

    private ulong Add(ulong a, ulong b)
    {
        ulong sum = a + b;
        return sum >= _half ? sum - _half : sum;
    }
}

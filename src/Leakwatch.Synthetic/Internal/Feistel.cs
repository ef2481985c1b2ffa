namespace Leakwatch.Synthetic.Internal;

/// <summary>A keyed bijection of [0, 10^(2h)): a balanced four-round Feistel network on two base-10^h halves.
/// Turns a counter into unique, random-looking decimal ids without remembering any.</summary>
internal sealed class Feistel
{
    private readonly ulong _half;
    private readonly ulong[] _keys = new ulong[4];

    public Feistel(int halfDigits, Rng rng)
    {
        _half = Country.Pow10(halfDigits);
        for (int i = 0; i < _keys.Length; i++) _keys[i] = rng.NextULong();
    }

    public ulong Domain => _half * _half;

    public ulong Permute(ulong x)
    {
        if (x >= Domain) throw new ArgumentOutOfRangeException(nameof(x), "counter beyond the id space");
        ulong left = x / _half, right = x % _half;
        foreach (ulong key in _keys)
        {
            ulong z = right ^ key;
            ulong mixed = Rng.SplitMix(ref z);
            (left, right) = (right, (left + mixed % _half) % _half);
        }
        return left * _half + right;
    }
}

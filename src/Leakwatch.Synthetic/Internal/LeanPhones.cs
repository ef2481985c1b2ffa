using System.Globalization;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Valid, unique, non-adjacent mobile numbers for the lean generator, with one validity check per block of
/// 10,000 numbers instead of one per number: a block is used only when <see cref="Country.BlockAllValid"/> proves every
/// number in it valid (and one number of it is spot-checked with libphonenumber itself). Numbers are taken from a block
/// like <see cref="PhoneFactory"/> takes them (offsets (A·i + b) mod 10,000, never 0 or 9999, at most
/// <see cref="PhoneFactory.PerBlock"/>), so they are unique by construction and no two are consecutive.</summary>
internal sealed class LeanPhones
{
    private const int OpenBlocks = 8;
    private const ulong Multiplier = 7_919;

    private readonly Rng _rng;
    private readonly Country[] _countries;
    private readonly HashSet<ulong> _usedBlocks = [];
    private readonly bool[] _exhausted;
    private readonly ulong[] _prefix, _offset;
    private readonly int[] _index;

    public LeanPhones(Rng rng, Country[] countries)
    {
        _rng = rng;
        _countries = countries;
        _exhausted = new bool[countries.Length];
        _prefix = new ulong[countries.Length * OpenBlocks];
        _offset = new ulong[countries.Length * OpenBlocks];
        _index = new int[countries.Length * OpenBlocks];
        Array.Fill(_index, PhoneFactory.PerBlock);
        for (int i = 0; i < countries.Length; i++) _exhausted[i] = !countries[i].HasBlockCheck;
    }

    /// <summary>A fresh valid number of the country as E.164 digits, or 0 once it has no provably valid block left;
    /// <paramref name="random"/> (any bits, from the caller's generator) picks one of the country's open blocks.</summary>
    public ulong Next(int countryIndex, uint random)
    {
        if (_exhausted[countryIndex]) return 0;
        int slot = countryIndex * OpenBlocks + (int)(random % OpenBlocks);
        while (true)
        {
            if (_index[slot] >= PhoneFactory.PerBlock && !NewBlock(countryIndex, slot))
            {
                _exhausted[countryIndex] = true;
                return 0;
            }
            ulong t = (Multiplier * (ulong)_index[slot] + _offset[slot]) % PhoneFactory.BlockSize;
            _index[slot]++;
            if (t is 0 or PhoneFactory.BlockSize - 1) continue;
            return _countries[countryIndex].ToE164(_prefix[slot] * PhoneFactory.BlockSize + t);
        }
    }

    /// <summary>The first country that still has blocks, for the persons of one that has none.</summary>
    public int FirstOpenCountry()
    {
        int i = Array.IndexOf(_exhausted, false);
        return i >= 0 ? i : throw new InvalidOperationException("no provably valid number block left in any country");
    }

    private bool NewBlock(int countryIndex, int slot)
    {
        Country country = _countries[countryIndex];
        ulong prefixLow = Country.Pow10(country.NsnLength - 5);
        ulong prefixHigh = Country.Pow10(country.NsnLength - 4);
        for (int attempt = 0; attempt < 200_000; attempt++)
        {
            ulong prefix = prefixLow + _rng.NextULong(prefixHigh - prefixLow);
            ulong block = PhoneFactory.BlockOf(country.ToE164(prefix * PhoneFactory.BlockSize));
            if (_usedBlocks.Contains(block) || !country.BlockAllValid(prefix)) continue;
            ulong probe = country.ToE164(prefix * PhoneFactory.BlockSize + (ulong)_rng.Next(1, PhoneFactory.BlockSize - 1));
            if (!Country.LibValid(probe))
                throw new InvalidOperationException("block validity check disagrees with libphonenumber on +" + probe.ToString(CultureInfo.InvariantCulture));
            _usedBlocks.Add(block);
            _prefix[slot] = prefix;
            _offset[slot] = _rng.NextULong(PhoneFactory.BlockSize);
            _index[slot] = 0;
            return true;
        }
        return false;
    }
}

using System.Globalization;
using System.Text;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Makes valid mobile numbers that are unique by construction, without remembering every number.
/// <para>A number's <em>block</em> is its E.164 value divided by 10,000. Each block is handed out at most once: from it
/// at most <see cref="PerBlock"/> numbers are taken, at offsets t = (A·i + b) mod 10,000 for i = 0, 1, …, skipping
/// t = 0 and t = 9999 and numbers that are not valid. Because A's inverse modulo 10,000 lies outside ±PerBlock, no two
/// numbers taken from one block are adjacent, and since offsets 0 and 9999 are never taken, numbers of neighbouring blocks
/// are not adjacent either. Eight blocks per country are open at a time, so that neighbouring rows do not all share a prefix. So the only run of consecutive numbers is the planted one, whose blocks are reserved.
/// Memory is one entry per block used (≈ records / 1,000).</para></summary>
internal sealed class PhoneFactory
{
    public const int BlockSize = 10_000;
    // 1,000 (not fewer) so that countries with small mobile ranges (SA: ~10,000 valid blocks) hold 100M-record dumps.
    public const int PerBlock = 1_000;
    private const ulong Multiplier = 7_919; // prime; its inverse mod 10,000 is 8,959, i.e. -1,041: beyond ±PerBlock

    private readonly Rng _rng;
    private readonly HashSet<ulong> _usedBlocks = [];
    private readonly bool[] _exhausted = new bool[Country.All.Value.Length];
    private readonly HashSet<ulong> _forbiddenBlocks;
    private const int OpenBlocks = 8;
    private readonly BlockState[][] _state;

    private sealed class BlockState
    {
        public ulong Prefix; // national number / BlockSize
        public ulong Offset;
        public int Index = PerBlock;
    }

    static PhoneFactory()
    {
        ulong inverse = 0;
        for (ulong x = 1; x < BlockSize; x++)
        {
            if (x * Multiplier % BlockSize == 1) inverse = x;
        }
        if (inverse is < PerBlock or > BlockSize - PerBlock) throw new InvalidOperationException("bad multiplier");
    }

    public PhoneFactory(Rng rng, HashSet<ulong> forbiddenBlocks)
    {
        _rng = rng;
        _forbiddenBlocks = forbiddenBlocks;
        _state = Country.All.Value.Select(_ => Enumerable.Range(0, OpenBlocks).Select(_ => new BlockState()).ToArray()).ToArray();
    }

    public static ulong BlockOf(ulong e164) => e164 / BlockSize;

    /// <summary>A valid mobile number of the country, as E.164 digits, never returned before; 0 once the country has no
    /// free block left (a country with a small mobile range, such as SA, runs out past ~100M rows).</summary>
    public ulong NextValid(int countryIndex)
    {
        if (_exhausted[countryIndex]) return 0;
        Country country = Country.All.Value[countryIndex];
        BlockState s = _state[countryIndex][_rng.Next(OpenBlocks)];
        while (true)
        {
            if (s.Index >= PerBlock && !NewBlock(country, s))
            {
                _exhausted[countryIndex] = true;
                return 0;
            }
            ulong t = (Multiplier * (ulong)s.Index + s.Offset) % BlockSize;
            s.Index++;
            if (t is 0 or BlockSize - 1) continue;
            ulong nsn = s.Prefix * BlockSize + t;
            if (country.FastValid(nsn)) return country.ToE164(nsn);
        }
    }

    /// <summary>The first country (in weight order) that still has free blocks, for the persons of one that has none.</summary>
    public int FirstOpenCountry()
    {
        int i = Array.IndexOf(_exhausted, false);
        return i >= 0 ? i : throw new InvalidOperationException("no free number block left in any country");
    }

    private bool NewBlock(Country country, BlockState s)
    {
        ulong prefixLow = Country.Pow10(country.NsnLength - 5);
        ulong prefixHigh = Country.Pow10(country.NsnLength - 4);
        for (int attempt = 0; attempt < 1_000_000; attempt++)
        {
            ulong prefix = prefixLow + _rng.NextULong(prefixHigh - prefixLow);
            ulong probe = prefix * BlockSize + (ulong)_rng.Next(1, BlockSize - 1);
            if (!country.FastValid(probe)) continue;
            ulong block = BlockOf(country.ToE164(probe));
            if (_forbiddenBlocks.Contains(block) || !_usedBlocks.Add(block)) continue;
            // Spot-check the fast validator against libphonenumber itself once per block.
            if (!Country.LibValid(country.ToE164(probe)))
                throw new InvalidOperationException($"fast validator disagrees with libphonenumber on +{country.ToE164(probe)}");
            s.Prefix = prefix;
            s.Offset = _rng.NextULong(BlockSize);
            s.Index = 0;
            return true;
        }
        return false;
    }

    /// <summary>Reserves the blocks of a run of <paramref name="length"/> consecutive valid numbers (checked with
    /// libphonenumber) with margin one on both sides, and returns its first number.</summary>
    public ulong PlantRun(int countryIndex, int length)
    {
        Country country = Country.All.Value[countryIndex];
        ulong low = Country.Pow10(country.NsnLength - 1);
        ulong high = Country.Pow10(country.NsnLength);
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            ulong start = low + 1 + _rng.NextULong(high - low - (ulong)length - 2);
            if (!country.FastValid(start) || !country.FastValid(start + (ulong)length - 1)) continue;
            ulong firstBlock = BlockOf(country.ToE164(start - 1));
            ulong lastBlock = BlockOf(country.ToE164(start + (ulong)length));
            bool free = true;
            for (ulong b = firstBlock; b <= lastBlock && free; b++) free = !_usedBlocks.Contains(b) && !_forbiddenBlocks.Contains(b);
            if (!free) continue;
            bool valid = true;
            for (ulong i = 0; i < (ulong)length && valid; i++)
                valid = country.FastValid(start + i) && Country.LibValid(country.ToE164(start + i));
            if (!valid) continue;
            for (ulong b = firstBlock; b <= lastBlock; b++) _usedBlocks.Add(b);
            return country.ToE164(start);
        }
        throw new InvalidOperationException($"could not plant a run of {length} consecutive numbers in {country.Region}");
    }

    private readonly Dictionary<int, int[]> _deadLeadingDigits = [];

    /// <summary>An invalid phone: too short (country code and 3–5 digits, like 12345), or the country's length but not a
    /// valid number. Every one is checked with libphonenumber.</summary>
    public string NextInvalid(int countryIndex, out bool tooShort)
    {
        Country country = Country.All.Value[countryIndex];
        tooShort = _rng.Chance(0.4);
        int[] dead = tooShort ? [] : DeadLeadingDigits(countryIndex, country);
        while (true)
        {
            ulong digits = tooShort ? ShortNumber(country) : country.ToE164(WrongNumber(country, dead));
            if (Country.LibNormalize(digits.ToString(CultureInfo.InvariantCulture)) is null)
                return digits.ToString(CultureInfo.InvariantCulture);
        }
    }

    private ulong WrongNumber(Country country, int[] dead)
    {
        ulong low = Country.Pow10(country.NsnLength - 1);
        ulong rest = _rng.NextULong(low);
        return dead.Length > 0 ? (ulong)_rng.Pick(dead) * low + rest : low + _rng.NextULong(low * 9);
    }

    /// <summary>Leading national digits under which ten sampled numbers of the country's length were all invalid,
    /// so that a wrong number is found without many tries (it is still checked).</summary>
    private int[] DeadLeadingDigits(int countryIndex, Country country)
    {
        if (_deadLeadingDigits.TryGetValue(countryIndex, out int[]? dead)) return dead;
        var probe = new Rng(Rng.Derive(country.CountryCode, 99));
        ulong low = Country.Pow10(country.NsnLength - 1);
        dead = Enumerable.Range(1, 9).Where(d => Enumerable.Range(0, 10)
            .All(_ => Country.LibNormalize(country.ToE164((ulong)d * low + probe.NextULong(low)).ToString(CultureInfo.InvariantCulture)) is null)).ToArray();
        _deadLeadingDigits[countryIndex] = dead;
        return dead;
    }

    private ulong ShortNumber(Country country)
    {
        int digits = _rng.Next(3, 6);
        ulong low = Country.Pow10(digits - 1);
        return (ulong)country.CountryCode * Country.Pow10(digits) + low + _rng.NextULong(low * 9);
    }

    /// <summary>Writes E.164 digits in one of the formats that normalize without a region:
    /// 0 "+447911123456", 1 "+44 7911 123456", 2 "447911123456", 3 "+44-7911-123456", 4 "+1 (212) 555-0123" (NANP) or "+44 (7911) 123456".</summary>
    public static void Format(StringBuilder sb, ulong e164, int ccDigits, int[] groups, int style)
    {
        Span<char> d = stackalloc char[20];
        e164.TryFormat(d, out int n, default, CultureInfo.InvariantCulture);
        ReadOnlySpan<char> digits = d[..n];
        switch (style)
        {
            case 0:
                sb.Append('+').Append(digits);
                return;
            case 2:
                sb.Append(digits);
                return;
        }
        char sep = style == 3 ? '-' : ' ';
        sb.Append('+').Append(digits[..ccDigits]);
        int pos = ccDigits;
        for (int g = 0; g < groups.Length; g++)
        {
            int len = g == groups.Length - 1 ? n - pos : Math.Min(groups[g], n - pos);
            if (len <= 0) break;
            sb.Append(style == 4 && g == 0 ? " (" : sep);
            sb.Append(digits.Slice(pos, len));
            if (style == 4 && g == 0) sb.Append(')');
            if (style == 4 && g == 1 && groups.Length > 2) sep = '-';
            pos += len;
        }
    }
}

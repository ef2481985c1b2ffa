using System.Runtime.CompilerServices;
using System.Text;

namespace Leakwatch.Synthetic.Internal;

/// <summary>The lean generator (<c>generate --lean</c>): a CSV of only the columns the ingest and the analysis read,
/// <c>phone,email,dob,gender</c>, written as UTF-8 bytes into one buffer (no string per field, no allocation per row).
/// Same shape of flaws as the default generator at its default rates: 1% duplicate rows, 1% empty and 2% invalid
/// phones, 0.3% shared phones and emails, 85% email presence with 2% invalid, 1% IDN and 5% mixed case, 80% birthdate
/// presence with 2% impossible dates; same country weights, name slugs and email domains. Phones come from
/// <see cref="LeanPhones"/> (valid by a per-block proof), emails end in a <see cref="LeanTokens"/>-permuted counter
/// (unique by construction). Deterministic per seed; not byte-compatible with the default generator's output.
/// The hot path costs ~0.35 µs of CPU a row on the shared box (BENCHMARKS.md "1.2B"): each draw is one SplitMix64
/// step, rates are compared as 32-bit thresholds, names, domains and phone layouts are precomputed byte tables, and
/// digits are written two at a time.</summary>
internal sealed class LeanEngine
{
    public const string Header = "phone,email,dob,gender\n";
    private const int RingSize = 512, RowMax = 192, SharedSize = 256, EmailMax = 128, CountryTableBits = 12, Styles = 5;
    private const ulong Always = 1UL << 32;

    private readonly GeneratorOptions _o;
    private ulong _state;
    private readonly ulong _duplicate, _emptyPhone, _invalidPhone, _sharedPhone, _emailPresence, _invalidEmail,
        _sharedEmail, _idn, _mixedCase, _birthdatePresence, _invalidBirthdate;
    private readonly ulong _male = Threshold(0.55), _noGender = Threshold(0.03), _localDomain = Threshold(0.35);
    private readonly Country[] _countries = Country.All.Value;
    private readonly byte[] _countryTable = new byte[1 << CountryTableBits];
    private readonly PhoneTemplate[] _phoneTemplates;
    private readonly LeanPhones _phones;
    private readonly LeanTokens _tokens;
    private readonly ByteTable?[] _maleSlugs, _femaleSlugs, _lastSlugs;
    private readonly byte[][]?[] _invalidPhones;
    private readonly byte[][][] _regionDomains;
    private readonly byte[][] _globalDomains, _idnDomains;
    private readonly ByteTable?[] _regionDomainTable;
    private readonly ByteTable _globalDomainTable, _idnDomainTable;
    private readonly byte[] _buf = new byte[1 << 20];
    private int _pos;
    private readonly byte[] _ring = new byte[RingSize * RowMax];
    private readonly int[] _ringLength = new int[RingSize];
    private readonly byte[] _ringFlags = new byte[RingSize];
    private int _ringCount;
    private readonly ulong[] _sharedPhones = new ulong[SharedSize];
    private readonly byte[] _sharedPhoneCountry = new byte[SharedSize];
    private int _sharedPhoneCount;
    private readonly byte[] _sharedEmails = new byte[SharedSize * EmailMax];
    private readonly int[] _sharedEmailLength = new int[SharedSize];
    private int _sharedEmailCount;
    private readonly GeneratorTruth _truth = new();

    public LeanEngine(GeneratorOptions options)
    {
        _o = options;
        _state = Rng.Derive(options.Seed, 11);
        _duplicate = Threshold(options.DuplicateRate);
        _emptyPhone = Threshold(options.EmptyPhoneRate);
        _invalidPhone = Threshold(options.InvalidPhoneRate);
        _sharedPhone = Threshold(options.SharedPhoneRate);
        _emailPresence = Threshold(options.EffectiveEmailPresence);
        _invalidEmail = Threshold(options.InvalidEmailRate);
        _sharedEmail = Threshold(options.SharedEmailRate);
        _idn = Threshold(options.IdnEmailRate);
        _mixedCase = Threshold(options.MixedCaseEmailRate);
        _birthdatePresence = Threshold(options.EffectiveBirthdatePresence);
        _invalidBirthdate = Threshold(options.InvalidBirthdateRate);

        // Country i covers the table slots whose midpoints fall below its cumulative weight: the weights to 1/4096.
        double total = 0, sum = 0;
        foreach (Country c in _countries) total += c.Weight;
        int slot = 0;
        for (int i = 0; i < _countries.Length; i++)
        {
            sum += _countries[i].Weight;
            double upTo = i == _countries.Length - 1 ? double.MaxValue : sum / total;
            while (slot < _countryTable.Length && (slot + 0.5) / _countryTable.Length < upTo) _countryTable[slot++] = (byte)i;
        }

        _phoneTemplates = new PhoneTemplate[_countries.Length * Styles];
        for (int i = 0; i < _countries.Length; i++)
        {
            Country c = _countries[i];
            for (int style = 0; style < Styles; style++) _phoneTemplates[(i * Styles) + style] = new PhoneTemplate(c.CountryCodeDigits, c.NsnLength, c.Groups, style);
        }
        _phones = new LeanPhones(new Rng(Rng.Derive(options.Seed, 12)), _countries);
        int digits = Math.Max(4, Country.DigitCount((ulong)Math.Max(1, options.Records)) + 1);
        _tokens = new LeanTokens(Math.Min((digits + 1) / 2, 9), new Rng(Rng.Derive(options.Seed, 13)));
        _maleSlugs = new ByteTable?[_countries.Length];
        _femaleSlugs = new ByteTable?[_countries.Length];
        _lastSlugs = new ByteTable?[_countries.Length];
        _invalidPhones = new byte[][]?[_countries.Length];
        var global = new List<byte[]>();
        foreach (var (domain, weight) in EmailFactory.Global)
        {
            for (int w = 0; w < weight; w++) global.Add(Encoding.UTF8.GetBytes(domain));
        }
        _globalDomains = [.. global];
        _idnDomains = Array.ConvertAll(EmailFactory.IdnDomains, Encoding.UTF8.GetBytes);
        _regionDomains = Array.ConvertAll(_countries, c =>
            EmailFactory.ByRegion.TryGetValue(c.Region, out string[]? local) ? Array.ConvertAll(local, Encoding.UTF8.GetBytes) : []);
        _globalDomainTable = new ByteTable(_globalDomains);
        _idnDomainTable = new ByteTable(_idnDomains);
        _regionDomainTable = Array.ConvertAll(_regionDomains, d => d.Length > 0 ? new ByteTable(d) : null);
    }

    /// <summary>p as a 32-bit threshold: a draw below it has probability p (to 2^-32); 1 is always, 0 never.</summary>
    private static ulong Threshold(double p) => p <= 0 ? 0 : p >= 1 ? Always : (ulong)(p * Always);

    public GeneratorTruth Run(Stream output)
    {
        _pos = Encoding.ASCII.GetBytes(Header, _buf);
        Loop(output);
        output.Write(_buf, 0, _pos);
        output.Flush();
        return _truth;
    }

    /// <summary>The row loop, compiled fully optimized at once (it runs once, for up to billions of rows). The row
    /// methods it calls are left to tiering: with AggressiveOptimization they were compiled before LeanFormat's tables
    /// were initialized, and paid a runtime helper call on every table read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Loop(Stream output)
    {
        for (long i = 0; i < _o.Records; i++)
        {
            if (_ringCount > 0 && Chance(_duplicate))
            {
                int r = Next(_ringCount);
                _ring.AsSpan(r * RowMax, _ringLength[r]).CopyTo(_buf.AsSpan(_pos));
                _pos += _ringLength[r];
                Count(_ringFlags[r]);
                _truth.DuplicateRows++;
            }
            else
            {
                int start = _pos;
                byte flags = Row();
                Count(flags);
                Remember(start, flags);
            }
            if (_pos > _buf.Length - 4096)
            {
                output.Write(_buf, 0, _pos);
                _pos = 0;
            }
        }
    }

    /// <summary>32 random bits: the high half of one SplitMix64 step (no branch, one word of state; xoshiro with a
    /// spare half cost a mispredicted branch on every other draw).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Next32()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)((z ^ (z >> 31)) >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Chance(ulong threshold) => Next32() < threshold;

    /// <summary>[0, n) by multiply-shift (bias below n / 2^32, irrelevant for the small n here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Next(int n) => (int)(((ulong)Next32() * (uint)n) >> 32);

    private int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    private void Remember(int start, byte flags)
    {
        int length = _pos - start;
        if (length > RowMax) return;
        int r = _ringCount < RingSize ? _ringCount++ : (Next32() & 7) == 0 ? Next(RingSize) : -1;
        if (r < 0) return;
        _buf.AsSpan(start, length).CopyTo(_ring.AsSpan(r * RowMax));
        _ringLength[r] = length;
        _ringFlags[r] = flags;
    }

    private void Count(byte flags)
    {
        _truth.Rows++;
        if ((flags & 1) != 0) _truth.InvalidEmail++;
        if ((flags & 2) != 0) _truth.InvalidPhone++;
        if ((flags & 4) != 0) _truth.InvalidBirthdate++;
        if ((flags & 8) != 0) _truth.EmptyEmail++;
        if ((flags & 16) != 0) _truth.EmptyPhone++;
        if ((flags & 32) != 0) _truth.EmptyBirthdate++;
    }

    /// <summary>Writes one fresh row (with its '\n') and returns its flags (bits as in <see cref="Count"/>).</summary>
    private byte Row()
    {
        int ci = _countryTable[Next32() >> (32 - CountryTableBits)];
        byte flags = Phone(ref ci);
        _buf[_pos++] = (byte)',';
        flags |= Email(ci);
        _buf[_pos++] = (byte)',';
        flags |= Dob();
        _buf[_pos++] = (byte)',';
        bool male = Chance(_male);
        if (!Chance(_noGender))
        {
            if (male)
            {
                "male"u8.CopyTo(_buf.AsSpan(_pos, 4));
                _pos += 4;
            }
            else
            {
                "female"u8.CopyTo(_buf.AsSpan(_pos, 6));
                _pos += 6;
            }
        }
        _buf[_pos++] = (byte)'\n';
        return flags;
    }

    private byte Phone(ref int ci)
    {
        if (Chance(_emptyPhone)) return 16;
        if (Chance(_invalidPhone))
        {
            byte[][] pool = _invalidPhones[ci] ??= LeanInvalid.Phones(_countries[ci]);
            Append(pool[Next(pool.Length)]);
            return 2;
        }
        ulong phone;
        int pc = ci;
        if (_sharedPhoneCount > 0 && Chance(_sharedPhone))
        {
            int r = Next(_sharedPhoneCount);
            phone = _sharedPhones[r];
            pc = _sharedPhoneCountry[r];
        }
        else
        {
            phone = _phones.Next(ci, Next32());
            if (phone == 0)
            {
                ci = pc = _phones.FirstOpenCountry();
                phone = _phones.Next(ci, Next32());
            }
            _truth.DistinctPhones++;
            int r = _sharedPhoneCount < SharedSize ? _sharedPhoneCount++ : (Next32() & 15) == 0 ? Next(SharedSize) : -1;
            if (r >= 0)
            {
                _sharedPhones[r] = phone;
                _sharedPhoneCountry[r] = (byte)pc;
            }
        }
        _pos += _phoneTemplates[(pc * Styles) + Next(Styles)].Write(_buf, _pos, phone);
        return 0;
    }

    private byte Email(int ci)
    {
        if (!Chance(_emailPresence)) return 8;
        if (Chance(_invalidEmail))
        {
            LocalPart(ci);
            byte[][] local = _regionDomains[ci];
            byte[] domain = local.Length > 0 && Chance(_localDomain) ? local[Next(local.Length)] : _globalDomains[Next(_globalDomains.Length)];
            LeanInvalid.Email(_buf, ref _pos, Next(3), domain);
            return 1;
        }
        if (_sharedEmailCount > 0 && Chance(_sharedEmail))
        {
            int r = Next(_sharedEmailCount);
            Append(_sharedEmails.AsSpan(r * EmailMax, _sharedEmailLength[r]));
            return 0;
        }
        int start = _pos;
        LocalPart(ci);
        _buf[_pos++] = (byte)'@';
        ByteTable domains = Chance(_idn) ? _idnDomainTable
            : _regionDomainTable[ci] is ByteTable regional && Chance(_localDomain) ? regional : _globalDomainTable;
        _pos += domains.Write(_buf, _pos, Next(domains.Count));
        if (Chance(_mixedCase)) LeanFormat.MixCase(_buf.AsSpan(start, _pos - start), Next32() < Always / 5);
        _truth.DistinctEmails++;
        int length = _pos - start;
        if (length <= EmailMax)
        {
            int r = _sharedEmailCount < SharedSize ? _sharedEmailCount++ : (Next32() & 15) == 0 ? Next(SharedSize) : -1;
            if (r >= 0)
            {
                _buf.AsSpan(start, length).CopyTo(_sharedEmails.AsSpan(r * EmailMax));
                _sharedEmailLength[r] = length;
            }
        }
        return 0;
    }

    /// <summary>first.last123, firstlast123, f.last123, first_last123, first123 or last.first123 (ASCII slugs).</summary>
    private void LocalPart(int ci)
    {
        ByteTable last = _lastSlugs[ci] ?? Slugs(ci);
        ByteTable first = Chance(_male) ? _maleSlugs[ci]! : _femaleSlugs[ci]!;
        int fi = Next(first.Count);
        int li = Next(last.Count);
        switch (Next(6))
        {
            case 0: _pos += first.Write(_buf, _pos, fi); _buf[_pos++] = (byte)'.'; _pos += last.Write(_buf, _pos, li); break;
            case 1: _pos += first.Write(_buf, _pos, fi); _pos += last.Write(_buf, _pos, li); break;
            case 2: _buf[_pos++] = first.FirstByte(fi); _buf[_pos++] = (byte)'.'; _pos += last.Write(_buf, _pos, li); break;
            case 3: _pos += first.Write(_buf, _pos, fi); _buf[_pos++] = (byte)'_'; _pos += last.Write(_buf, _pos, li); break;
            case 4: _pos += first.Write(_buf, _pos, fi); break;
            default: _pos += last.Write(_buf, _pos, li); _buf[_pos++] = (byte)'.'; _pos += first.Write(_buf, _pos, fi); break;
        }
        _pos += LeanFormat.FastDigits(_buf, _pos, _tokens.Next());
    }

    private ByteTable Slugs(int ci)
    {
        LocalePool pool = PersonPools.Get(_countries[ci].Locale, _o.Seed);
        _maleSlugs[ci] = new ByteTable(Array.ConvertAll(pool.MaleSlug, Encoding.ASCII.GetBytes));
        _femaleSlugs[ci] = new ByteTable(Array.ConvertAll(pool.FemaleSlug, Encoding.ASCII.GetBytes));
        return _lastSlugs[ci] = new ByteTable(Array.ConvertAll(pool.LastSlug, Encoding.ASCII.GetBytes));
    }

    private byte Dob()
    {
        if (!Chance(_birthdatePresence)) return 32;
        bool iso = Next32() < Always / 2;
        if (Chance(_invalidBirthdate))
        {
            int year = Next(1940, 2005);
            _pos += Next(3) switch
            {
                0 => LeanFormat.Date(_buf.AsSpan(_pos), iso, year, 2, 30),
                1 => LeanFormat.Date(_buf.AsSpan(_pos), iso, 1899, Next(1, 13), Next(1, 29)),
                _ => LeanFormat.Date(_buf.AsSpan(_pos), iso, Next(2090, 2100), Next(1, 13), Next(1, 29)),
            };
            return 4;
        }
        int y = Math.Min(1935 + (Math.Min(Next(73), Next(73)) / 2) + Next(37), 2007);
        int m = Next(12) + 1;
        int d = Next(DateTime.DaysInMonth(y, m)) + 1;
        if (iso)
        {
            LeanFormat.Two(_buf, _pos, y / 100);
            LeanFormat.Two(_buf, _pos + 2, y % 100);
            _buf[_pos + 4] = (byte)'-';
            LeanFormat.Two(_buf, _pos + 5, m);
            _buf[_pos + 7] = (byte)'-';
            LeanFormat.Two(_buf, _pos + 8, d);
            _pos += 10;
        }
        else
        {
            _pos += LeanFormat.OneOrTwo(_buf, _pos, m);
            _buf[_pos++] = (byte)'/';
            _pos += LeanFormat.OneOrTwo(_buf, _pos, d);
            _buf[_pos++] = (byte)'/';
            LeanFormat.Two(_buf, _pos, y / 100);
            LeanFormat.Two(_buf, _pos + 2, y % 100);
            _pos += 4;
        }
        return 0;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buf.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary>Short byte strings (slugs, domains) at a fixed stride, padded so that each is written by one fixed-size
    /// copy (of 32 bytes, when all fit) whatever its length.</summary>
    private sealed class ByteTable
    {
        private readonly byte[] _data;
        private readonly int[] _length;
        private readonly int _stride;

        public ByteTable(byte[][] items)
        {
            int max = 0;
            foreach (byte[] item in items) max = Math.Max(max, item.Length);
            _stride = Math.Max(32, max);
            _data = new byte[(items.Length * _stride) + 32];
            _length = new int[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                items[i].CopyTo(_data, i * _stride);
                _length[i] = items[i].Length;
            }
            Count = items.Length;
        }

        public int Count { get; }

        public byte FirstByte(int i) => _data[i * _stride];

        /// <summary>Writes item i at pos (buf must have 32 bytes of room) and returns its length.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Write(byte[] buf, int pos, int i)
        {
            int length = _length[i];
            if (_stride == 32) _data.AsSpan(i * 32, 32).CopyTo(buf.AsSpan(pos, 32));
            else _data.AsSpan(i * _stride, length).CopyTo(buf.AsSpan(pos));
            return length;
        }
    }
}

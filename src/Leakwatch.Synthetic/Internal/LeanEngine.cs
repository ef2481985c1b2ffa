using System.Text;

namespace Leakwatch.Synthetic.Internal;

/// <summary>The lean generator (<c>generate --lean</c>): a CSV of only the columns the ingest and the analysis read,
/// <c>phone,email,dob,gender</c>, written as UTF-8 bytes into one buffer (no string per field, no allocation per row).
/// Same shape of flaws as the default generator at its default rates: 1% duplicate rows, 1% empty and 2% invalid
/// phones, 0.3% shared phones and emails, 85% email presence with 2% invalid, 1% IDN and 5% mixed case, 80% birthdate
/// presence with 2% impossible dates; same country weights, name slugs and email domains. Phones come from
/// <see cref="LeanPhones"/> (valid by a per-block proof), emails end in a Feistel-permuted counter (unique by
/// construction). Deterministic per seed; not byte-compatible with the default generator's output.</summary>
internal sealed class LeanEngine
{
    public const string Header = "phone,email,dob,gender\n";
    private const int RingSize = 512, RowMax = 192, SharedSize = 256, EmailMax = 128;

    private readonly GeneratorOptions _o;
    private readonly Rng _rng;
    private readonly Country[] _countries = Country.All.Value;
    private readonly double[] _cumulative;
    private readonly LeanPhones _phones;
    private readonly Feistel _tokens;
    private ulong _tokenCounter;
    private readonly LocalePool?[] _pools;
    private readonly byte[][]?[] _invalidPhones;
    private readonly byte[][][] _regionDomains;
    private readonly byte[][] _globalDomains, _idnDomains;
    private readonly byte[] _buf = new byte[1 << 20];
    private int _pos;
    private readonly byte[] _ring = new byte[RingSize * RowMax];
    private readonly int[] _ringLength = new int[RingSize];
    private readonly byte[] _ringFlags = new byte[RingSize];
    private int _ringCount;
    private readonly ulong[] _sharedPhones = new ulong[SharedSize];
    private int _sharedPhoneCount;
    private readonly byte[] _sharedEmails = new byte[SharedSize * EmailMax];
    private readonly int[] _sharedEmailLength = new int[SharedSize];
    private int _sharedEmailCount;
    private readonly GeneratorTruth _truth = new();

    public LeanEngine(GeneratorOptions options)
    {
        _o = options;
        _rng = new Rng(Rng.Derive(options.Seed, 11));
        double total = 0, sum = 0;
        foreach (Country c in _countries) total += c.Weight;
        _cumulative = new double[_countries.Length];
        for (int i = 0; i < _countries.Length; i++) _cumulative[i] = (sum += _countries[i].Weight) / total;
        _cumulative[^1] = 1.0;
        _phones = new LeanPhones(new Rng(Rng.Derive(options.Seed, 12)), _countries);
        int digits = Math.Max(4, Country.DigitCount((ulong)Math.Max(1, options.Records)) + 1);
        _tokens = new Feistel(Math.Min((digits + 1) / 2, 9), new Rng(Rng.Derive(options.Seed, 13)));
        _pools = new LocalePool?[_countries.Length];
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
    }

    public GeneratorTruth Run(Stream output)
    {
        Append(Header);
        for (long i = 0; i < _o.Records; i++)
        {
            if (_ringCount > 0 && _rng.Chance(_o.DuplicateRate))
            {
                int r = _rng.Next(_ringCount);
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
        output.Write(_buf, 0, _pos);
        output.Flush();
        return _truth;
    }

    private void Remember(int start, byte flags)
    {
        int length = _pos - start;
        if (length > RowMax) return;
        int r = _ringCount < RingSize ? _ringCount++ : (_rng.NextULong() & 7) == 0 ? _rng.Next(RingSize) : -1;
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

    private int PickCountry()
    {
        double x = _rng.NextDouble();
        for (int i = 0; i < _cumulative.Length; i++)
        {
            if (x < _cumulative[i]) return i;
        }
        return _cumulative.Length - 1;
    }

    /// <summary>Writes one fresh row (with its '\n') and returns its flags (bits as in <see cref="Count"/>).</summary>
    private byte Row()
    {
        int ci = PickCountry();
        byte flags = Phone(ref ci);
        _buf[_pos++] = (byte)',';
        flags |= Email(ci);
        _buf[_pos++] = (byte)',';
        flags |= Dob();
        _buf[_pos++] = (byte)',';
        bool male = _rng.Chance(0.55);
        if (!_rng.Chance(0.03)) Append(male ? "male" : "female");
        _buf[_pos++] = (byte)'\n';
        return flags;
    }

    private byte Phone(ref int ci)
    {
        if (_rng.Chance(_o.EmptyPhoneRate)) return 16;
        if (_rng.Chance(_o.InvalidPhoneRate))
        {
            byte[][] pool = _invalidPhones[ci] ??= LeanInvalid.Phones(_countries[ci]);
            Append(pool[_rng.Next(pool.Length)]);
            return 2;
        }
        ulong phone;
        if (_sharedPhoneCount > 0 && _rng.Chance(_o.SharedPhoneRate)) phone = _sharedPhones[_rng.Next(_sharedPhoneCount)];
        else
        {
            phone = _phones.Next(ci);
            if (phone == 0)
            {
                ci = _phones.FirstOpenCountry();
                phone = _phones.Next(ci);
            }
            _truth.DistinctPhones++;
            if (_sharedPhoneCount < SharedSize) _sharedPhones[_sharedPhoneCount++] = phone;
            else if ((_rng.NextULong() & 15) == 0) _sharedPhones[_rng.Next(SharedSize)] = phone;
        }
        Country c = _countries[ci];
        _pos += LeanFormat.Phone(_buf.AsSpan(_pos), phone, c.CountryCodeDigits, c.Groups, _rng.Next(5));
        return 0;
    }

    private byte Email(int ci)
    {
        if (!_rng.Chance(_o.EffectiveEmailPresence)) return 8;
        if (_rng.Chance(_o.InvalidEmailRate))
        {
            LocalPart(ci);
            LeanInvalid.Email(_buf, ref _pos, _rng, Domain(ci));
            return 1;
        }
        if (_sharedEmailCount > 0 && _rng.Chance(_o.SharedEmailRate))
        {
            int r = _rng.Next(_sharedEmailCount);
            Append(_sharedEmails.AsSpan(r * EmailMax, _sharedEmailLength[r]));
            return 0;
        }
        int start = _pos;
        LocalPart(ci);
        _buf[_pos++] = (byte)'@';
        Append(_rng.Chance(_o.IdnEmailRate) ? _rng.Pick(_idnDomains) : Domain(ci));
        if (_rng.Chance(_o.MixedCaseEmailRate)) LeanFormat.MixCase(_buf.AsSpan(start, _pos - start), _rng.Chance(0.2));
        _truth.DistinctEmails++;
        int length = _pos - start;
        if (length <= EmailMax)
        {
            int r = _sharedEmailCount < SharedSize ? _sharedEmailCount++ : (_rng.NextULong() & 15) == 0 ? _rng.Next(SharedSize) : -1;
            if (r >= 0)
            {
                _buf.AsSpan(start, length).CopyTo(_sharedEmails.AsSpan(r * EmailMax));
                _sharedEmailLength[r] = length;
            }
        }
        return 0;
    }

    private byte[] Domain(int ci)
    {
        byte[][] local = _regionDomains[ci];
        return local.Length > 0 && _rng.Chance(0.35) ? _rng.Pick(local) : _rng.Pick(_globalDomains);
    }

    /// <summary>first.last123, firstlast123, f.last123, first_last123, first123 or last.first123 (ASCII slugs).</summary>
    private void LocalPart(int ci)
    {
        LocalePool pool = _pools[ci] ??= PersonPools.Get(_countries[ci].Locale, _o.Seed);
        bool male = _rng.Chance(0.55);
        int fi = _rng.Next(pool.MaleSlug.Length);
        string first = male ? pool.MaleSlug[fi] : pool.FemaleSlug[fi];
        string last = pool.LastSlug[_rng.Next(pool.LastSlug.Length)];
        switch (_rng.Next(6))
        {
            case 0: Append(first); _buf[_pos++] = (byte)'.'; Append(last); break;
            case 1: Append(first); Append(last); break;
            case 2: _buf[_pos++] = (byte)first[0]; _buf[_pos++] = (byte)'.'; Append(last); break;
            case 3: Append(first); _buf[_pos++] = (byte)'_'; Append(last); break;
            case 4: Append(first); break;
            default: Append(last); _buf[_pos++] = (byte)'.'; Append(first); break;
        }
        _pos += LeanFormat.Digits(_buf.AsSpan(_pos), _tokens.Permute(_tokenCounter++));
    }

    private byte Dob()
    {
        if (!_rng.Chance(_o.EffectiveBirthdatePresence)) return 32;
        bool iso = _rng.Chance(0.5);
        if (_rng.Chance(_o.InvalidBirthdateRate))
        {
            int year = _rng.Next(1940, 2005);
            _pos += _rng.Next(3) switch
            {
                0 => LeanFormat.Date(_buf.AsSpan(_pos), iso, year, 2, 30),
                1 => LeanFormat.Date(_buf.AsSpan(_pos), iso, 1899, _rng.Next(1, 13), _rng.Next(1, 29)),
                _ => LeanFormat.Date(_buf.AsSpan(_pos), iso, _rng.Next(2090, 2100), _rng.Next(1, 13), _rng.Next(1, 29)),
            };
            return 4;
        }
        int y = Math.Min(1935 + Math.Min(_rng.Next(73), _rng.Next(73)) / 2 + _rng.Next(37), 2007);
        int m = _rng.Next(1, 13);
        int d = _rng.Next(1, DateTime.DaysInMonth(y, m) + 1);
        _pos += LeanFormat.Date(_buf.AsSpan(_pos), iso, y, m, d);
        return 0;
    }

    private void Append(string ascii)
    {
        foreach (char ch in ascii) _buf[_pos++] = (byte)ch;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buf.AsSpan(_pos));
        _pos += bytes.Length;
    }
}

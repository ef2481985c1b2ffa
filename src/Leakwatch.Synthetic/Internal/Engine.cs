using System.Buffers;
using System.Globalization;
using System.Text;

namespace Leakwatch.Synthetic.Internal;

/// <summary>One generation run. Row kinds are drawn so that the planted-run and recycled rows come out exactly:
/// each row is a duplicate with <see cref="GeneratorOptions.DuplicateRate"/> (unless every remaining row is needed),
/// else a run row with probability runLeft / rowsLeft, a recycled row with recycleLeft / rowsLeft, else a fresh person.</summary>
internal sealed class Engine
{
    [Flags]
    private enum RowFlags : byte
    {
        None = 0,
        BadEmail = 1,
        BadPhone = 2,
        BadDob = 4,
        NoEmail = 8,
        NoPhone = 16,
        NoDob = 32,
    }

    private const int RingSize = 512;
    private static readonly SearchValues<char> CsvSpecial = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> JsonSpecial = SearchValues.Create("\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    private readonly GeneratorOptions _o;
    private readonly Rng _rng;
    private readonly Country[] _countries = Country.All.Value;
    private readonly double[] _cumulative;
    private readonly PhoneFactory _phones;
    private readonly EmailFactory _emails;
    private readonly Recycler? _recycler;
    private readonly GeneratorTruth _truth = new();
    private readonly HashSet<string>? _emailSet;
    private readonly HashSet<ulong>? _phoneSet;
    private readonly StringBuilder _sb = new(512);
    private readonly StringBuilder _phoneSb = new(32);
    private readonly string[] _fields = new string[Fields.Count];

    private readonly (string Text, RowFlags Flags)[] _ring = new (string, RowFlags)[RingSize];
    private int _ringCount;
    private readonly ulong[] _sharedPhones = new ulong[256];
    private int _sharedPhoneCount;
    private readonly string[] _sharedEmails = new string[256];
    private int _sharedEmailCount;

    private readonly Feistel _uidNew, _uidOld;
    private ulong _uidCounter;

    private long _freshPhones, _freshEmails;

    public Engine(GeneratorOptions options, bool collect)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Records, nameof(options));
        _o = options;
        _rng = new Rng(Rng.Derive(options.Seed, 1));
        double total = _countries.Sum(c => c.Weight), sum = 0;
        _cumulative = new double[_countries.Length];
        for (int i = 0; i < _countries.Length; i++) _cumulative[i] = (sum += _countries[i].Weight) / total;
        _cumulative[^1] = 1.0;

        int runLength = Math.Max(0, options.EffectivePlantedRunLength);
        if (runLength > options.Records) throw new ArgumentOutOfRangeException(nameof(options), "PlantedRunLength exceeds Records");
        long wanted = options.RecycleFrom is null ? 0 : (long)Math.Round(Math.Clamp(options.RecycleRate, 0, 1) * options.Records);
        wanted = Math.Min(wanted, options.Records - runLength);
        if (options.RecycleFrom is not null)
            _recycler = Recycler.Prepare(options.RecycleFrom, wanted, new Rng(Rng.Derive(options.Seed, 4)));

        _phones = new PhoneFactory(new Rng(Rng.Derive(options.Seed, 2)), _recycler?.ForbiddenBlocks ?? []);
        _emails = new EmailFactory(new Rng(Rng.Derive(options.Seed, 3)), options, _recycler?.ForbiddenEmailHashes ?? []);

        var uidRng = new Rng(Rng.Derive(options.Seed, 5));
        _uidNew = new Feistel(6, uidRng);
        _uidOld = new Feistel(4, uidRng);

        if (collect)
        {
            _emailSet = new HashSet<string>(StringComparer.Ordinal);
            _phoneSet = [];
        }

        if (runLength > 0)
        {
            var runRng = new Rng(Rng.Derive(options.Seed, 6));
            int country = PickCountry(runRng);
            _truth.LongestPlantedRun = new PlantedRun(_phones.PlantRun(country, runLength), runLength, _countries[country].Region);
            _runCountry = country;
        }
    }

    private readonly int _runCountry;
    private readonly LocalePool?[] _pools = new LocalePool?[Country.All.Value.Length];

    private int PickCountry(Rng rng)
    {
        double x = rng.NextDouble();
        for (int i = 0; i < _cumulative.Length; i++)
        {
            if (x < _cumulative[i]) return i;
        }
        return _cumulative.Length - 1;
    }

    public GeneratorTruth Run(TextWriter output, IProgress<long>? progress)
    {
        if (_o.Shape == DumpShape.Csv) output.Write(Fields.CsvHeader + "\n");
        long n = _o.Records;
        PlantedRun? run = _truth.LongestPlantedRun;
        long runLeft = run?.Length ?? 0;
        ulong nextRun = run?.Start ?? 0;
        long recycleLeft = _recycler?.Chosen.Count ?? 0;
        using IEnumerator<(string[] Row, Recycler.Candidate Facts)>? recycled = _recycler?.Stream().GetEnumerator();

        for (long i = 0; i < n; i++)
        {
            long slotsLeft = n - i;
            if (_ringCount > 0 && runLeft + recycleLeft < slotsLeft && _rng.Chance(_o.DuplicateRate))
            {
                var (text, flags) = _ring[_rng.Next(_ringCount)];
                output.Write(text);
                Count(flags);
                _truth.DuplicateRows++;
            }
            else
            {
                ulong pick = _rng.NextULong((ulong)slotsLeft);
                RowFlags flags;
                if (pick < (ulong)runLeft)
                {
                    flags = Fresh(_runCountry, nextRun++);
                    runLeft--;
                }
                else if (pick < (ulong)(runLeft + recycleLeft))
                {
                    if (!recycled!.MoveNext()) throw new InvalidOperationException("recycled rows ran out");
                    flags = Recycled(recycled.Current.Row, recycled.Current.Facts);
                    recycleLeft--;
                    _truth.RecycledRows++;
                }
                else
                {
                    flags = Fresh(PickCountry(_rng), 0);
                }
                WriteRow();
                output.Write(_sb);
                Count(flags);
                if (_ringCount < RingSize) _ring[_ringCount++] = (_sb.ToString(), flags);
                else if ((_rng.NextULong() & 7) == 0) _ring[_rng.Next(RingSize)] = (_sb.ToString(), flags);
            }
            if (progress is not null && (i & 0xFFFF) == 0xFFFF) progress.Report(i + 1);
        }
        progress?.Report(n);

        _truth.DistinctPhones = _freshPhones + (_recycler?.Chosen.Count ?? 0);
        _truth.DistinctEmails = _freshEmails + (_recycler?.RecycledEmails.Count ?? 0);
        if (_phoneSet is not null && _emailSet is not null)
        {
            if (_phoneSet.Count != _truth.DistinctPhones || _emailSet.Count != _truth.DistinctEmails)
                throw new InvalidOperationException($"construction counts disagree with sets: phones {_truth.DistinctPhones} vs {_phoneSet.Count}, emails {_truth.DistinctEmails} vs {_emailSet.Count}");
            _truth.Phones = _phoneSet;
            _truth.Emails = _emailSet;
        }
        return _truth;
    }

    private void Count(RowFlags flags)
    {
        _truth.Rows++;
        if ((flags & RowFlags.BadEmail) != RowFlags.None) _truth.InvalidEmail++;
        if ((flags & RowFlags.BadPhone) != RowFlags.None) _truth.InvalidPhone++;
        if ((flags & RowFlags.BadDob) != RowFlags.None) _truth.InvalidBirthdate++;
        if ((flags & RowFlags.NoEmail) != RowFlags.None) _truth.EmptyEmail++;
        if ((flags & RowFlags.NoPhone) != RowFlags.None) _truth.EmptyPhone++;
        if ((flags & RowFlags.NoDob) != RowFlags.None) _truth.EmptyBirthdate++;
    }

    private string NextUid()
    {
        ulong c = _uidCounter++;
        // Two disjoint ranges, each a bijection of the counter: modern 15-digit ids 100xxxxxxxxxxxx and old 9-digit ones.
        ulong uid = _rng.Chance(0.8) || c >= _uidOld.Domain
            ? 100_000_000_000_000UL + _uidNew.Permute(c)
            : 100_000_000UL + _uidOld.Permute(c);
        return uid.ToString(CultureInfo.InvariantCulture);
    }

    private string FormatPhone(ulong e164, int ccDigits, int[] groups)
    {
        _phoneSb.Clear();
        PhoneFactory.Format(_phoneSb, e164, ccDigits, groups, _o.Shape == DumpShape.Colon ? 2 : _rng.Next(5));
        return _phoneSb.ToString();
    }

    /// <summary>A fresh person; <paramref name="runPhone"/> non-zero for a row of the planted run.</summary>
    private RowFlags Fresh(int ci, ulong runPhone)
    {
        Country c = _countries[ci];
        LocalePool pool = _pools[ci] ??= PersonPools.Get(c.Locale, _o.Seed);
        RowFlags flags = RowFlags.None;
        bool male = _rng.Chance(0.55);
        int fi = _rng.Next(pool.MaleFirst.Length);
        int li = _rng.Next(pool.Last.Length);
        string firstSlug = male ? pool.MaleSlug[fi] : pool.FemaleSlug[fi];
        string lastSlug = pool.LastSlug[li];

        // phone
        ulong phone = 0;
        if (runPhone != 0) phone = runPhone;
        else if (_rng.Chance(_o.EmptyPhoneRate)) _fields[Fields.Phone] = "";
        else if (_rng.Chance(_o.InvalidPhoneRate))
        {
            string digits = _phones.NextInvalid(ci, out bool tooShort);
            _fields[Fields.Phone] = tooShort || _o.Shape == DumpShape.Colon
                ? digits
                : FormatPhone(ulong.Parse(digits, CultureInfo.InvariantCulture), c.CountryCodeDigits, c.Groups);
            flags |= RowFlags.BadPhone;
        }
        else if (_sharedPhoneCount > 0 && _rng.Chance(_o.SharedPhoneRate)) phone = _sharedPhones[_rng.Next(_sharedPhoneCount)];
        else
        {
            phone = _phones.NextValid(ci);
            if (phone == 0)
            {
                // The country's numbers are used up (only past ~100M rows): this person gets a number of the first
                // country that has some left; dumps small enough never to get here keep their exact bytes.
                ci = _phones.FirstOpenCountry();
                c = _countries[ci];
                phone = _phones.NextValid(ci);
            }
            _freshPhones++;
            RememberPhone(phone);
        }
        if (phone != 0)
        {
            if (runPhone != 0) _freshPhones++;
            _fields[Fields.Phone] = FormatPhone(phone, c.CountryCodeDigits, c.Groups);
            _phoneSet?.Add(phone);
        }
        else if (_fields[Fields.Phone].Length == 0) flags |= RowFlags.NoPhone;

        _fields[Fields.Uid] = NextUid();
        _fields[Fields.FirstName] = male ? pool.MaleFirst[fi] : pool.FemaleFirst[fi];
        _fields[Fields.LastName] = pool.Last[li];
        _fields[Fields.Gender] = _rng.Chance(0.03) ? "" : male ? "male" : "female";
        _fields[Fields.City] = _rng.Chance(0.25) ? "" : pool.City[_rng.Next(pool.City.Length)];
        _fields[Fields.Country] = _rng.Chance(0.1) ? "" : c.Name;
        _fields[Fields.Relationship] = _rng.Pick(PersonPools.Relationships);
        _fields[Fields.Employer] = _rng.Chance(0.6) ? "" : pool.Employer[_rng.Next(pool.Employer.Length)];

        flags |= FreshEmail(firstSlug, lastSlug, c.Region);
        flags |= FreshDob();
        return flags;
    }

    /// <summary>The email cell of a fresh person: empty, invalid, shared with an earlier row or new.</summary>
    private RowFlags FreshEmail(string firstSlug, string lastSlug, string region)
    {
        RowFlags flags = RowFlags.None;
        if (!_rng.Chance(_o.EffectiveEmailPresence))
        {
            _fields[Fields.Email] = "";
            flags = RowFlags.NoEmail;
        }
        else if (_rng.Chance(_o.InvalidEmailRate))
        {
            _fields[Fields.Email] = _emails.NextInvalid(firstSlug, lastSlug, region);
            flags = RowFlags.BadEmail;
        }
        else if (_sharedEmailCount > 0 && _rng.Chance(_o.SharedEmailRate))
        {
            _fields[Fields.Email] = _sharedEmails[_rng.Next(_sharedEmailCount)];
        }
        else
        {
            string raw = _emails.NextValid(firstSlug, lastSlug, region, _emailSet is not null, out string normalized);
            _fields[Fields.Email] = raw;
            _freshEmails++;
            _emailSet?.Add(normalized);
            if (_sharedEmailCount < _sharedEmails.Length) _sharedEmails[_sharedEmailCount++] = raw;
            else if ((_rng.NextULong() & 15) == 0) _sharedEmails[_rng.Next(_sharedEmails.Length)] = raw;
        }
        return flags;
    }

    /// <summary>The birth-date cell of a fresh person: empty, invalid or valid.</summary>
    private RowFlags FreshDob()
    {
        RowFlags flags = RowFlags.None;
        if (!_rng.Chance(_o.EffectiveBirthdatePresence))
        {
            _fields[Fields.Dob] = "";
            flags = RowFlags.NoDob;
        }
        else if (_rng.Chance(_o.InvalidBirthdateRate))
        {
            _fields[Fields.Dob] = Dates.Invalid(_rng, _o.Shape);
            flags = RowFlags.BadDob;
        }
        else _fields[Fields.Dob] = Dates.Valid(_rng, _o.Shape);
        return flags;
    }

    private void RememberPhone(ulong phone)
    {
        if (_sharedPhoneCount < _sharedPhones.Length) _sharedPhones[_sharedPhoneCount++] = phone;
        else if ((_rng.NextULong() & 15) == 0) _sharedPhones[_rng.Next(_sharedPhones.Length)] = phone;
    }

    private RowFlags Recycled(string[] row, Recycler.Candidate facts)
    {
        RowFlags flags = RowFlags.None;
        Country? known = _countries.FirstOrDefault(c => c.CountryCodeDigits == facts.CountryCodeDigits
            && c.ToE164(0) / c.NsnPow10 == facts.Phone / c.NsnPow10 && Country.DigitCount(facts.Phone) == c.CountryCodeDigits + c.NsnLength);
        int[] groups = known?.Groups ?? [3, 3, 8];
        _fields[Fields.Phone] = FormatPhone(facts.Phone, facts.CountryCodeDigits, groups);
        _phoneSet?.Add(facts.Phone);
        for (int f = Fields.Uid; f <= Fields.Employer; f++) _fields[f] = PersonPools.Clean(row[f]);
        if (facts.Email is string email)
        {
            _fields[Fields.Email] = email;
            _emailSet?.Add(EmailRules.Normalize(email)!);
        }
        else
        {
            _fields[Fields.Email] = "";
            flags |= RowFlags.NoEmail;
        }
        if (Dates.Parse(row[Fields.Dob]) is { } dob) _fields[Fields.Dob] = Dates.Write(_rng, _o.Shape, dob);
        else
        {
            _fields[Fields.Dob] = "";
            flags |= RowFlags.NoDob;
        }
        return flags;
    }

    private void WriteRow()
    {
        StringBuilder sb = _sb;
        sb.Clear();
        switch (_o.Shape)
        {
            case DumpShape.Csv:
                for (int f = 0; f < Fields.Count; f++)
                {
                    if (f > 0) sb.Append(',');
                    string v = _fields[f];
                    if (v.AsSpan().IndexOfAny(CsvSpecial) < 0) sb.Append(v);
                    else sb.Append('"').Append(v.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                }
                break;
            case DumpShape.Colon:
                for (int f = 0; f < Fields.Count; f++)
                {
                    if (f > 0) sb.Append(':');
                    string v = _fields[f];
                    if (!v.Contains(':', StringComparison.Ordinal)) sb.Append(v);
                    else sb.Append(v.Replace(":", "", StringComparison.Ordinal));
                }
                break;
            default:
                sb.Append('{');
                for (int f = 0; f < Fields.Count; f++)
                {
                    if (f > 0) sb.Append(',');
                    sb.Append('"').Append(Fields.Names[f]).Append("\":\"");
                    AppendJson(sb, _fields[f]);
                    sb.Append('"');
                }
                sb.Append('}');
                break;
        }
        sb.Append('\n');
    }

    private static void AppendJson(StringBuilder sb, string v)
    {
        if (v.AsSpan().IndexOfAny(JsonSpecial) < 0)
        {
            sb.Append(v);
            return;
        }
        foreach (char ch in v)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < ' ': sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(ch); break;
            }
        }
    }
}

using System.Globalization;
using System.Text;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Makes emails. A valid fresh email's local part is built from the person's name slugs (letters only)
/// followed by a decimal token π(c) = (A·c + B) mod 10^d, where c counts the tokens drawn: π is a bijection, and the
/// token is exactly the trailing digits of the local part, so fresh valid emails are unique by construction
/// (whatever domain or letter case they get) and need no set to count.</summary>
internal sealed class EmailFactory
{
    private static readonly (string Domain, int Weight)[] Global =
    [
        ("gmail.com", 40), ("yahoo.com", 14), ("hotmail.com", 14), ("outlook.com", 6), ("icloud.com", 3),
        ("aol.com", 2), ("live.com", 3), ("mail.ru", 1), ("protonmail.com", 1),
    ];

    private static readonly Dictionary<string, string[]> ByRegion = new()
    {
        ["GB"] = ["yahoo.co.uk", "hotmail.co.uk", "btinternet.com"],
        ["FR"] = ["orange.fr", "free.fr", "laposte.net", "hotmail.fr"],
        ["DE"] = ["web.de", "gmx.de", "t-online.de"],
        ["IT"] = ["libero.it", "virgilio.it", "hotmail.it", "alice.it"],
        ["BR"] = ["uol.com.br", "bol.com.br", "hotmail.com.br"],
        ["IN"] = ["rediffmail.com", "yahoo.co.in"],
        ["MX"] = ["prodigy.net.mx", "hotmail.es"],
        ["TR"] = ["mynet.com", "hotmail.com.tr"],
        ["EG"] = ["yahoo.com", "hotmail.com"],
        ["SA"] = ["yahoo.com", "hotmail.com"],
    };

    /// <summary>IDN domains with their A-labels (computed once with <see cref="IdnMapping"/>).</summary>
    private static readonly string[] IdnDomains = ["müller.de", "bücher.de", "café.fr", "köln.de", "señal.es", "açaí.com.br", "çiçek.com.tr"];

    private readonly Rng _rng;
    private readonly GeneratorOptions _options;
    private readonly HashSet<ulong> _forbidden;
    private readonly ulong _modulus;
    private readonly ulong _a;
    private readonly ulong _b;
    private ulong _counter;
    private readonly string[] _globalTable;

    public EmailFactory(Rng rng, GeneratorOptions options, HashSet<ulong> forbiddenHashes)
    {
        _rng = rng;
        _options = options;
        _forbidden = forbiddenHashes;
        int digits = Math.Max(4, Country.DigitCount((ulong)Math.Max(1, options.Records)) + 1);
        _modulus = Country.Pow10(Math.Min(digits, 18));
        do
        {
            _a = 1 + _rng.NextULong(_modulus - 1);
        }
        while (_a % 2 == 0 || _a % 5 == 0);
        _b = _rng.NextULong(_modulus);
        _globalTable = Global.SelectMany(g => Enumerable.Repeat(g.Domain, g.Weight)).ToArray();
    }

    private string NextToken()
    {
        if (_counter >= _modulus) throw new InvalidOperationException("email token space exhausted");
        ulong token = (ulong)((UInt128)_a * _counter + _b) % _modulus;
        _counter++;
        return token.ToString(CultureInfo.InvariantCulture);
    }

    private string LocalPart(string first, string last)
    {
        string token = NextToken();
        return _rng.Next(7) switch
        {
            0 => $"{first}.{last}{token}",
            1 => $"{first}{last}{token}",
            2 => $"{first[0]}.{last}{token}",
            3 => $"{first}_{last}{token}",
            4 => $"{first}{token}",
            5 => $"{last}.{first}{token}",
            _ => $"{first}.{last}.{token}",
        };
    }

    private string Domain(string region) =>
        ByRegion.TryGetValue(region, out string[]? local) && _rng.Chance(0.35) ? _rng.Pick(local) : _rng.Pick(_globalTable);

    /// <summary>A valid email never made before in this dump nor present in the recycled-from dump; returns the raw text.</summary>
    public string NextValid(string first, string last, string region, out string normalized)
    {
        while (true)
        {
            string local = LocalPart(first, last);
            bool idn = _rng.Chance(_options.IdnEmailRate);
            string domain = idn ? _rng.Pick(IdnDomains) : Domain(region);
            string raw = local + "@" + domain;
            if (_rng.Chance(_options.MixedCaseEmailRate)) raw = MixCase(raw);
            normalized = EmailRules.Normalize(raw) ?? throw new InvalidOperationException($"generated an invalid email '{raw}'");
            if (_forbidden.Count == 0 || !_forbidden.Contains(EmailRules.Hash(normalized))) return raw;
        }
    }

    private string MixCase(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        bool upperAll = _rng.Chance(0.2);
        bool start = true;
        foreach (char c in raw)
        {
            sb.Append(upperAll || start ? char.ToUpperInvariant(c) : c);
            start = c is '.' or '@' or '_';
        }
        return sb.ToString();
    }

    /// <summary>An email that is invalid for <see cref="EmailRules"/>: no '@', a doubled dot, an unknown TLD, or a local part over 64.</summary>
    public string NextInvalid(string first, string last, string region)
    {
        string local = LocalPart(first, last);
        string domain = Domain(region);
        string raw = _rng.Next(4) switch
        {
            0 => local + domain,
            1 => _rng.Chance(0.5) ? local.Insert(Math.Max(1, local.Length / 2), "..").Replace("...", "..", StringComparison.Ordinal) + "@" + domain : local + "@" + domain.Replace(".", "..", StringComparison.Ordinal),
            2 => local + "@" + domain[..domain.LastIndexOf('.')] + ".invalidtld",
            _ => LongLocal(local) + "@" + domain,
        };
        if (EmailRules.Normalize(raw) is not null) throw new InvalidOperationException($"generated a valid 'invalid' email '{raw}'");
        return raw;
    }

    private static string LongLocal(string local)
    {
        var sb = new StringBuilder(local);
        while (sb.Length <= 64) sb.Append('.').Append(local.Replace(".", "", StringComparison.Ordinal));
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Makes emails. A valid fresh email's local part is built from the person's name slugs (letters only)
/// followed by a decimal token π(c), where c counts the tokens drawn and π is a keyed Feistel bijection, and the
/// token is exactly the trailing digits of the local part, so fresh valid emails are unique by construction
/// (whatever domain or letter case they get) and need no set to count.</summary>
internal sealed class EmailFactory
{
    internal static readonly (string Domain, int Weight)[] Global =
    [
        ("gmail.com", 40), ("yahoo.com", 14), ("hotmail.com", 14), ("outlook.com", 6), ("icloud.com", 3),
        ("aol.com", 2), ("live.com", 3), ("mail.ru", 1), ("protonmail.com", 1),
    ];

    internal static readonly Dictionary<string, string[]> ByRegion = new()
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
    internal static readonly string[] IdnDomains = ["müller.de", "bücher.de", "café.fr", "köln.de", "señal.es", "açaí.com.br", "çiçek.com.tr"];

    /// <summary>Normalized (A-label, lowercase) form of every domain this factory writes.</summary>
    private static readonly Dictionary<string, string> AsciiDomain = Global.Select(g => g.Domain)
        .Concat(ByRegion.Values.SelectMany(v => v)).Concat(IdnDomains).Distinct()
        .ToDictionary(d => d, d => new IdnMapping().GetAscii(d).ToLowerInvariant());

    private readonly Rng _rng;
    private readonly GeneratorOptions _options;
    private readonly HashSet<ulong> _forbidden;
    private readonly Feistel _tokens;
    private ulong _counter;
    private readonly string[] _globalTable;

    public EmailFactory(Rng rng, GeneratorOptions options, HashSet<ulong> forbiddenHashes)
    {
        _rng = rng;
        _options = options;
        _forbidden = forbiddenHashes;
        int digits = Math.Max(4, Country.DigitCount((ulong)Math.Max(1, options.Records)) + 1);
        _tokens = new Feistel(Math.Min((digits + 1) / 2, 9), _rng);
        _globalTable = Global.SelectMany(g => Enumerable.Repeat(g.Domain, g.Weight)).ToArray();
    }

    private string NextToken()
    {
        ulong token = _tokens.Permute(_counter++);
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

    /// <summary>A valid email never made before in this dump nor present in the recycled-from dump; returns the raw
    /// text. Its normalized form is known by construction (slugs and tokens are lowercase ASCII; the domain's A-label
    /// is precomputed), so <see cref="EmailRules.Normalize"/> need not run per email; <paramref name="check"/> makes it
    /// run anyway and compare.</summary>
    public string NextValid(string first, string last, string region, bool check, out string normalized)
    {
        while (true)
        {
            string local = LocalPart(first, last);
            bool idn = _rng.Chance(_options.IdnEmailRate);
            string domain = idn ? _rng.Pick(IdnDomains) : Domain(region);
            string raw = local + "@" + domain;
            normalized = idn ? local + "@" + AsciiDomain[domain] : raw;
            if (_rng.Chance(_options.MixedCaseEmailRate)) raw = MixCase(raw);
            if (check && EmailRules.Normalize(raw) != normalized)
                throw new InvalidOperationException($"email '{raw}' does not normalize to '{normalized}'");
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

namespace Leakwatch.Server.Tests;

/// <summary>The accounts every bulk test sends, as a person types them, picked from the generated data.</summary>
internal sealed class BulkAccounts
{
    public const string Invalid = "not an account";
    public const string Unknown = "nobody.bulk@example.com";

    public BulkAccounts(BulkFixture f)
    {
        static bool Plain(string e) => e.All(c => c < 128) && !e.Contains("xn--", StringComparison.Ordinal);
        var alpha = f.Alpha.Emails!.Order(StringComparer.Ordinal).ToList();
        AlphaOnly = alpha.First(e => Plain(e) && !f.Beta.Emails!.Contains(e) && e != f.OptedOut).ToUpperInvariant();
        Both = alpha.First(e => Plain(e) && f.Beta.Emails!.Contains(e) && e != f.OptedOut);
        BetaOnly = f.Beta.Emails!.Order(StringComparer.Ordinal).First(e => Plain(e) && !f.Alpha.Emails!.Contains(e));
        Phone = BulkFixture.Plus(f.Alpha.Phones!.Order().First());
        PhoneNames = f.Expected(f.Alpha.Phones!.Order().First());
        OptedOut = f.OptedOut;
    }

    public string AlphaOnly { get; }

    public string Both { get; }

    public string BetaOnly { get; }

    public string Phone { get; }

    public List<string> PhoneNames { get; }

    public string OptedOut { get; }

    /// <summary>Every account, in the order the tests send them.</summary>
    public string[] All => [AlphaOnly, Both, BetaOnly, Phone, Invalid, Unknown, OptedOut];

    public static string Names(IEnumerable<string> names) => "[" + string.Join(",", names.Select(n => "\"" + n + "\"")) + "]";
}

using Leakwatch.Core;

namespace Leakwatch.Server;

/// <summary>
/// HIBP's documented integration-test accounts (<c>…@hibp-integration-tests.com</c>), answered from a few built-in
/// synthetic breaches that are never part of the real catalogue. The answers come out of the same filters as real
/// lookups: a retired ("not active") or sensitive breach is attached to an account and hidden by the usual rules.
/// </summary>
internal static class TestAccounts
{
    public const string Domain = "hibp-integration-tests.com";

    private static readonly DateTimeOffset Added = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Breach Make(int id, string name, string domain, DateOnly date, Func<Breach, Breach>? flags = null)
    {
        var b = new Breach
        {
            Id = -id,
            Name = name,
            Title = name,
            Domain = domain,
            BreachDate = date,
            AddedDate = Added.AddDays(id),
            ModifiedDate = Added.AddDays(id),
            PwnCount = 1000 * id,
            Description = "A synthetic breach served only for the HIBP integration-test accounts.",
            DataClasses = [DataClass.EmailAddresses, "Passwords"],
            IsVerified = true,
        };
        return flags is null ? b : flags(b);
    }

    private static readonly Breach Adobe = Make(1, "Adobe", "adobe.com", new DateOnly(2013, 10, 4));
    private static readonly Breach Gawker = Make(2, "Gawker", "gawker.com", new DateOnly(2010, 12, 11));
    private static readonly Breach Stratfor = Make(3, "Stratfor", "stratfor.com", new DateOnly(2011, 12, 24));
    private static readonly Breach NotActive = Make(4, "NotActiveBreach", "notactive.example", new DateOnly(2015, 1, 1), b => b with { IsRetired = true });
    private static readonly Breach Sensitive = Make(5, "SensitiveBreach", "sensitive.example", new DateOnly(2016, 1, 1), b => b with { IsSensitive = true });
    private static readonly Breach Unverified = Make(6, "UnverifiedBreach", "unverified.example", new DateOnly(2017, 1, 1), b => b with { IsVerified = false });
    private static readonly Breach SpamList = Make(7, "SpamListBreach", "spamlist.example", new DateOnly(2018, 1, 1), b => b with { IsSpamList = true });
    private static readonly Breach SubscriptionFree = Make(8, "SubscriptionFreeBreach", "subscriptionfree.example", new DateOnly(2019, 1, 1), b => b with { IsSubscriptionFree = true });
    private static readonly Breach StealerLog = Make(9, "StealerLogBreach", "stealerlog.example", new DateOnly(2020, 1, 1), b => b with { IsStealerLog = true });

    private static readonly Dictionary<string, PreparedBreach[]> Accounts = Build();

    private static Dictionary<string, PreparedBreach[]> Build()
    {
        var prepared = new[] { Adobe, Gawker, Stratfor, NotActive, Sensitive, Unverified, SpamList, SubscriptionFree, StealerLog }
            .ToDictionary(b => b.Name, b => new PreparedBreach(b));
        PreparedBreach[] Of(params Breach[] list) =>
            [.. list.OrderBy(b => b.BreachDate).Select(b => prepared[b.Name])];
        return new Dictionary<string, PreparedBreach[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["account-exists"] = Of(Adobe),
            ["multiple-breaches"] = Of(Adobe, Gawker, Stratfor),
            ["not-active-and-active-breach"] = Of(Adobe, NotActive),
            ["not-active-breach"] = Of(NotActive),
            ["opt-out"] = [],
            ["opt-out-breach"] = [],
            ["permanent-opt-out"] = [],
            ["paste-sensitive-breach"] = Of(Sensitive),
            ["sensitive-and-other-breaches"] = Of(Adobe, Gawker, Sensitive),
            ["sensitive-breach"] = Of(Sensitive),
            ["unverified-breach"] = Of(Unverified),
            ["spam-list-only"] = Of(SpamList),
            ["spam-list-and-others"] = Of(Adobe, Gawker, SpamList),
            ["subscription-free-breach"] = Of(SubscriptionFree),
            ["subscription-free-and-other-breaches"] = Of(Adobe, Gawker, SubscriptionFree),
            ["stealer-log"] = Of(StealerLog),
        };
    }

    /// <summary>The account's breaches (before filtering) when it is one of the test accounts.</summary>
    public static bool TryFind(ReadOnlySpan<char> account, out PreparedBreach[] breaches)
    {
        breaches = [];
        account = account.Trim();
        var at = account.LastIndexOf('@');
        if (at <= 0 || !account[(at + 1)..].Equals(Domain, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var lookup = Accounts.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(account[..at], out breaches!);
    }

    public static IEnumerable<string> Names => Accounts.Keys;
}

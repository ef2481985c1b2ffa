using System.Net;
using Leakwatch.Catalog.Lookup;

namespace Leakwatch.Server;

/// <summary>
/// Account search and per-call rate counting, apart from HTTP: the v3 <c>breachedaccount</c> handler and the MCP
/// <c>search_account</c> tool both run <see cref="SearchAccount"/>, so both see test accounts, opt-outs and the
/// enumeration detector (local or shared) alike, and only write the outcome differently.
/// </summary>
internal sealed partial class HibpApi
{
    /// <summary>
    /// Looks <paramref name="account"/> up for <paramref name="client"/> calling from <paramref name="remote"/>,
    /// appending to <paramref name="found"/>. Test accounts first; the test key gets nothing else; a client the
    /// detector blocks is refused whatever it sends; an opted-out identifier is answered as one in no breach (and
    /// the detector counts a miss). Completes synchronously unless the shared detector must wait for Redis, in
    /// which case the answer holds a copy of the list (the caller's may be a thread's, reused meanwhile).
    /// </summary>
    internal ValueTask<AccountSearch> SearchAccount(ApiClient client, string account, IPAddress? remote, List<PreparedBreach> found)
    {
        if (_options.TestAccounts && TestAccounts.TryFind(account, out var testBreaches))
        {
            found.AddRange(testBreaches);
            return new(AccountSearch.Of(AccountSearchOutcome.Answered, found));
        }

        if (client.IsTestKey)
        {
            // HIBP's test key works for the test accounts only.
            return new(AccountSearch.Of(AccountSearchOutcome.TestKeyRefused, found));
        }

        if (_sharedDetector is not null)
        {
            return SearchShared(_sharedDetector, client.Key!, account, remote, found);
        }

        var clientId = ClientId.ForKey(client.Key!.Id);
        var network = ClientNetwork.Of(remote);
        if (_detector.IsBlocked(clientId, network, out var retryAfter))
        {
            _metrics.EnumerationRejections.Inc();
            return new(AccountSearch.Of(AccountSearchOutcome.Blocked, found, retryAfter));
        }

        var state = _exposure.Acquire();
        AccountKind kind;
        UInt128 key;
        try
        {
            kind = state.TryKey(account, _exposure.Phones, out key);
            if (kind == AccountKind.Invalid)
            {
                return new(AccountSearch.Of(AccountSearchOutcome.Invalid, found));
            }

            if (!_optOuts.Contains(key))
            {
                state.Find(key, found);
            }
        }
        finally
        {
            state.Release();
        }

        if (_detector.Record(clientId, network, client.Key.Rpm, new DetectedLookup(key, kind, PhoneDigits(kind, account), found.Count > 0)))
        {
            _metrics.EnumerationRejections.Inc();
            _detector.IsBlocked(clientId, network, out retryAfter);
            return new(AccountSearch.Of(AccountSearchOutcome.Blocked, found, retryAfter));
        }

        return new(AccountSearch.Of(AccountSearchOutcome.Answered, found));
    }

    /// <summary>The E.164 digits of a phone account for the detector's walk rules; 0 for an email.</summary>
    private ulong PhoneDigits(AccountKind kind, string account) =>
        kind == AccountKind.Phone && _exposure.Phones.Value.TryNormalize(account.AsSpan().Trim(), out var e164) ? e164 : 0;

    /// <summary>
    /// With the detector in Redis: the lookup first (local), then the detector checks the key's and the network's
    /// blocks, records the lookup and has it judged (at once, or by Redis in the background, see
    /// <see cref="SharedScrapingDetector.CheckAsync"/>). An invalid account only checks the blocks (a blocked client
    /// is refused whatever it sends). Redis unreachable: <see cref="AccountSearchOutcome.Unavailable"/>.
    /// </summary>
    private ValueTask<AccountSearch> SearchShared(SharedScrapingDetector detector, Leakwatch.Catalog.ApiKey key, string account,
        IPAddress? remote, List<PreparedBreach> found)
    {
        DetectedLookup? lookup = null;
        var state = _exposure.Acquire();
        try
        {
            var kind = state.TryKey(account, _exposure.Phones, out var indexKey);
            if (kind != AccountKind.Invalid)
            {
                if (!_optOuts.Contains(indexKey))
                {
                    state.Find(indexKey, found);
                }

                lookup = new DetectedLookup(indexKey, kind, PhoneDigits(kind, account), found.Count > 0);
            }
        }
        finally
        {
            state.Release();
        }

        var check = detector.CheckAsync(ClientId.ForKey(key.Id), ClientNetwork.Of(remote), key.Rpm, lookup);
        return check.IsCompletedSuccessfully
            ? new(Judge(check.Result, found, lookup is not null))
            : JudgeAsync(check, [.. found], lookup is not null);
    }

    private async ValueTask<AccountSearch> JudgeAsync(ValueTask<int?> check, List<PreparedBreach> found, bool valid) =>
        Judge(await check, found, valid);

    private AccountSearch Judge(int? wait, List<PreparedBreach> found, bool valid)
    {
        if (wait is null)
        {
            return AccountSearch.Of(AccountSearchOutcome.Unavailable, found);
        }

        if (wait > 0)
        {
            _metrics.EnumerationRejections.Inc();
            return AccountSearch.Of(AccountSearchOutcome.Blocked, found, wait.Value);
        }

        return AccountSearch.Of(valid ? AccountSearchOutcome.Answered : AccountSearchOutcome.Invalid, found);
    }

    /// <summary>The account-search filters, in place: retired and sensitive breaches never (as HIBP), unverified ones
    /// unless asked for, and only <paramref name="domain"/>'s when given.</summary>
    internal static void FilterAccountBreaches(List<PreparedBreach> found, string? domain, bool includeUnverified)
    {
        found.RemoveAll(static p => p.Breach.IsRetired || p.Breach.IsSensitive);
        if (!includeUnverified)
        {
            found.RemoveAll(static p => !p.Breach.IsVerified);
        }

        if (!string.IsNullOrEmpty(domain))
        {
            for (var i = found.Count - 1; i >= 0; i--)
            {
                if (!string.Equals(found[i].Breach.Domain, domain.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    found.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// One call counted against the caller's rate by its handler (<see cref="HibpAccess.KeyPerCall"/>), in the same
    /// bucket as the key's HTTP requests: in Redis with <c>--redis</c> (leased tokens first, as authentication
    /// takes them; in this process while Redis is unreachable, as other keyed endpoints), else in this process. The
    /// test key counts for its IP at <see cref="ServerOptions.TestKeyRpm"/>. 0 when allowed, else the seconds to wait.
    /// </summary>
    internal ValueTask<int> TakeCallAsync(ApiClient client, IPAddress? remote)
    {
        var key = client.Key is { } k
            ? new RateKey(ClientId.ForKey(k.Id), k.Rpm)
            : new RateKey(ClientId.ForAddress(remote), _options.TestKeyRpm);
        if (_redis is null || !_redis.IsAvailable)
        {
            return new(Refused(client, _keyLimits.Take(key)));
        }

        var network = ClientNetwork.Of(remote);
        return _redis.Leases.TryTake(key, network) ? new(0) : TakeSharedAsync(_redis, client, key, network);
    }

    private async ValueTask<int> TakeSharedAsync(RedisCounters redis, ApiClient client, RateKey key, ClientNetwork network)
    {
        var verdict = await redis.TakeAsync([SharedBucket.For("g", key) with { Lease = redis.Leases.ToAsk(key) }]);
        switch (verdict.Outcome)
        {
            case SharedOutcome.Allowed:
                if (verdict.Granted > 0)
                {
                    redis.Leases.Granted(key, network, verdict.Granted);
                }

                return 0;
            case SharedOutcome.Refused:
                return Refused(client, verdict.RetryAfterSeconds);
            default:
                return Refused(client, _keyLimits.Take(key));
        }
    }

    private int Refused(ApiClient client, int wait)
    {
        if (wait > 0)
        {
            _metrics.RateLimitRejections.WithLabels(client.Key is not null ? "key" : "ip").Inc();
        }

        return wait;
    }
}
